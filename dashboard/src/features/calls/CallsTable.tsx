// Calls as table rows: direction, who, when (business zone), duration, outcome.
import { Badge, type Tone } from "../../components/ui/Badge";
import { Icon, type IconName } from "../../components/ui/Icon";
import { useI18n } from "../../lib/i18n";
import { navigate } from "../../lib/router";
import { useMe } from "../../lib/session";
import { formatPhone } from "../../lib/phone";
import { formatDuration, formatInstant } from "../../lib/time";
import type { CallSummary } from "../../lib/types";

const DIRECTION_ICON: Record<string, IconName> = { inbound: "arrowIn", outbound: "arrowOut", browser: "browser" };
const DIRECTION_TONE: Record<string, Tone> = { inbound: "blue", outbound: "amber", browser: "indigo" };

export function DirectionBadge({ direction }: { direction: string }) {
  const { tx } = useI18n();
  return (
    <Badge plain tone={DIRECTION_TONE[direction] ?? "gray"}>
      <Icon name={DIRECTION_ICON[direction] ?? "phone"} size={13} /> {tx("dir", direction)}
    </Badge>
  );
}

export function outcomeTone(outcome: string | null): Tone {
  if (!outcome) return "gray";
  if (/book/.test(outcome)) return "green";
  if (/fail|error|lost|drop/.test(outcome)) return "red";
  if (/progress/.test(outcome)) return "blue";
  return "gray";
}

export function CallsTable({ calls }: { calls: CallSummary[] }) {
  const { t, tx, locale } = useI18n();
  const { timezone } = useMe().business;
  return (
    <table className="table" data-testid="calls-table">
      <thead>
        <tr>
          <th>{t("calls.direction")}</th><th>{t("calls.from")}</th><th>{t("calls.to")}</th>
          <th>{t("calls.started")}</th><th>{t("calls.duration")}</th><th>{t("calls.outcome")}</th>
        </tr>
      </thead>
      <tbody>
        {calls.map((c) => (
          <tr key={c.id} className="link" onClick={() => navigate(`calls/${c.id}`)} data-testid="call-row" data-direction={c.direction}>
            <td><DirectionBadge direction={c.direction} /></td>
            <td>{c.direction === "browser" ? t("calls.browserCaller") : <span className="num">{formatPhone(c.from_number)}</span>}</td>
            <td><span className="num">{formatPhone(c.to_number)}</span></td>
            <td className="muted when">{formatInstant(c.started_at, timezone, locale)}</td>
            <td><span className="num">{formatDuration(c.duration_secs)}</span></td>
            <td>{c.outcome ? <Badge tone={outcomeTone(c.outcome)}>{tx("outcome", c.outcome)}</Badge> : <span className="faint">{t("common.none")}</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
