// A call's transcript as chat bubbles: the agent on one side, the caller on the other.
import { useI18n } from "../../lib/i18n";
import type { TranscriptTurn } from "../../lib/types";

export function Transcript({ turns }: { turns: TranscriptTurn[] | null | undefined }) {
  const { t, tx } = useI18n();
  if (!turns?.length) return <p className="faint">{t("calls.noTranscript")}</p>;
  // A caller's words are transcribed after they finish speaking: order turns by when they began.
  const ordered = [...turns].sort((a, b) => (a.at_ms ?? 0) - (b.at_ms ?? 0));
  return (
    <div className="transcript" data-testid="transcript">
      {ordered.map((turn, i) => (
        <div key={i} className={`turn ${turn.role === "caller" ? "caller" : "agent"}`}>
          <span className="who">{tx("role", turn.role)}</span>
          {turn.text}
          {turn.interrupted_at_ms != null && <span className="cut">{t("calls.interrupted", { ms: turn.interrupted_at_ms })}</span>}
        </div>
      ))}
    </div>
  );
}
