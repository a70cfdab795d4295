// A booking the API refused (409 slot_taken, 422 invalid_time), said plainly, with the
// alternatives it offered as one-click choices.
import { ApiError } from "../../lib/http";
import { useI18n } from "../../lib/i18n";
import { errorText } from "../../components/ui/Feedback";

interface Refusal {
  status?: string;
  message?: string;
  reason?: string;
  alternatives?: string[];
}

export function refusalOf(error: unknown): Refusal | null {
  if (error instanceof ApiError && (error.status === 409 || error.status === 422) && error.detail && typeof error.detail === "object" && !Array.isArray(error.detail)) {
    return error.detail as Refusal;
  }
  return null;
}

/** "HH:MM" or "YYYY-MM-DD HH:MM" -> [date, time]. */
export function splitAlternative(text: string, day: string): [string, string] {
  const [a, b] = text.split(" ");
  return b ? [a!, b] : [day, a!];
}

export function BookingRefusal({ error, day, time, onPick }: { error: unknown; day: string; time: string; onPick: (date: string, time: string) => void }) {
  const { t, tx } = useI18n();
  if (!error) return null;
  const refusal = refusalOf(error);
  if (!refusal) return <div className="notice error" role="alert">{errorText(error, t)}</div>;
  return (
    <div className="notice error" role="alert" data-testid="refusal" data-status={refusal.status}>
      <div className="stack" style={{ gap: 8 }}>
        <div>
          <strong>{tx("refusal", refusal.status ?? "")}</strong>
          {refusal.status === "slot_taken" ? t("refusal.slot_taken.text", { time })
            : refusal.reason ? tx("refusal.reason", refusal.reason) : refusal.message}
        </div>
        {!!refusal.alternatives?.length && (
          <div className="row">
            <span>{t("refusal.alternatives")}</span>
            {refusal.alternatives.map((alt) => (
              <button key={alt} type="button" className="chip num" data-testid="alternative" onClick={() => onPick(...splitAlternative(alt, day))}>
                {alt}
              </button>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
