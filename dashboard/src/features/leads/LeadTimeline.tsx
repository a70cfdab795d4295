// A lead's history, newest first: calls, bookings, moves, cancellations, edits.
import { Empty } from "../../components/ui/Feedback";
import { useI18n } from "../../lib/i18n";
import { formatInstant } from "../../lib/time";
import type { LeadEvent } from "../../lib/types";

function describe(event: LeadEvent, tx: (p: string, v: string) => string): string {
  const data = event.data ?? {};
  const parts: string[] = [];
  if (typeof data.from === "string" && typeof data.to === "string") parts.push(`${tx("lead.status", data.from)} → ${tx("lead.status", data.to)}`);
  for (const key of ["date", "time", "local_date", "local_time", "outcome", "fields"]) {
    const v = data[key];
    if (typeof v === "string" || typeof v === "number") parts.push(String(v));
    else if (Array.isArray(v)) parts.push(v.join(", "));
  }
  if (typeof data.by === "string") parts.push(tx("by", data.by));
  return parts.join(" · ");
}

export function LeadTimeline({ events, timeZone }: { events: LeadEvent[]; timeZone: string }) {
  const { t, tx, locale } = useI18n();
  if (!events.length) return <Empty>{t("common.none")}</Empty>;
  const sorted = [...events].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return (
    <ul className="timeline" data-testid="timeline">
      {sorted.map((event, i) => (
        <li key={event.id ?? i}>
          <span className="dot" />
          <div style={{ fontWeight: 600 }}>{tx("event", event.kind)}</div>
          <div className="muted" style={{ fontSize: 13 }}>{describe(event, tx)}</div>
          <div className="when">{formatInstant(event.at, timeZone, locale)}</div>
        </li>
      ))}
    </ul>
  );
}
