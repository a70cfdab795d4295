// The day/week time grid, drawn by hand in the business's zone: one column per local date,
// appointments placed by their local date and time from the API, closed hours hatched.
import type { MouseEvent } from "react";
import { useI18n } from "../../lib/i18n";
import { formatClock, formatDay, localMinutesOf, parseClock, weekdayOf } from "../../lib/time";
import type { Appointment, BookingRules } from "../../lib/types";
import { HOUR_PX, hoursOn, placeDay, visibleHours } from "./layout";

interface Props {
  days: string[];
  today: string;
  timeZone: string;
  appointments: Appointment[];
  rules: BookingRules | null;
  onOpen: (appointment: Appointment) => void;
  onCreate: (day: string, time: string) => void;
}

export function WeekGrid({ days, today, timeZone, appointments, rules, onOpen, onCreate }: Props) {
  const { t, locale } = useI18n();
  const [firstHour, lastHour] = visibleHours(rules, appointments);
  const top = (minutes: number) => ((minutes - firstHour * 60) / 60) * HOUR_PX;
  const height = (lastHour - firstHour) * HOUR_PX;
  const columns = `56px repeat(${days.length}, minmax(0, 1fr))`;
  const step = rules?.slot_minutes ?? 30;
  const nowMin = localMinutesOf(new Date(), timeZone);

  function clickColumn(day: string, event: MouseEvent<HTMLDivElement>) {
    if (event.target !== event.currentTarget) return;
    const y = event.nativeEvent.offsetY;
    const minutes = firstHour * 60 + Math.floor(((y / HOUR_PX) * 60) / step) * step;
    onCreate(day, formatClock(Math.min(minutes, 23 * 60 + 30)));
  }

  return (
    <div className="card cal" data-testid="calendar">
      <div className="cal-head" style={{ gridTemplateColumns: columns }}>
        <div />
        {days.map((day) => {
          const count = appointments.filter((a) => a.local_date === day && a.status !== "cancelled").length;
          return (
            <div key={day} className={`day-h${day === today ? " today" : ""}`} data-day={day}>
              <div className="dow">{formatDay(day, locale, { weekday: days.length > 1 ? "short" : "long" })}</div>
              <div className="dnum">{formatDay(day, locale, { day: "numeric" })}</div>
              <div className="count">{count === 1 ? t("cal.oneAppointment") : count ? t("cal.appointments", { n: count }) : hoursOn(rules, day, weekdayOf(day)).length ? "\u00a0" : t("cal.closed")}</div>
            </div>
          );
        })}
      </div>
      <div className="cal-scroll">
        <div className="cal-grid" style={{ gridTemplateColumns: columns, height }}>
          <div className="cal-hours">
            {Array.from({ length: lastHour - firstHour }, (_, i) => (
              <div key={i} className="cal-hour-label num" style={{ top: i * HOUR_PX }}>
                {i ? formatClock((firstHour + i) * 60) : ""}
              </div>
            ))}
          </div>
          {days.map((day) => {
            const open = hoursOn(rules, day, weekdayOf(day)).map(([a, b]) => [parseClock(a), parseClock(b)] as const);
            const closed: [number, number][] = [];
            let cursor = firstHour * 60;
            for (const [from, to] of open) {
              if (from > cursor) closed.push([cursor, from]);
              cursor = Math.max(cursor, to);
            }
            if (cursor < lastHour * 60) closed.push([cursor, lastHour * 60]);
            return (
              <div key={day} className={`cal-col${day === today ? " today" : ""}`} data-day={day} onClick={(e) => clickColumn(day, e)}>
                {rules && closed.map(([from, to]) => (
                  <div key={from} className="cal-closed" style={{ top: top(from), height: top(to) - top(from) }} />
                ))}
                {Array.from({ length: (lastHour - firstHour) * 2 }, (_, i) => (
                  <div key={i} className={`cal-line${i % 2 ? "" : " hour"}`} style={{ top: (i * HOUR_PX) / 2 }} />
                ))}
                {day === today && nowMin >= firstHour * 60 && nowMin < lastHour * 60 && (
                  <div className="cal-now" style={{ top: top(nowMin) }} />
                )}
                {placeDay(appointments.filter((a) => a.local_date === day)).map((p) => {
                  const a = p.appointment;
                  const kind = a.status === "cancelled" ? " cancelled" : a.call_id ? " from-call" : "";
                  const width = 100 / p.lanes;
                  return (
                    <button key={a.id} className={`appt${kind}`} data-testid="appt" data-id={a.id} data-date={a.local_date}
                      data-time={a.local_time} data-status={a.status} onClick={() => onOpen(a)}
                      style={{
                        top: top(p.startMin) + 1,
                        height: Math.max(22, top(p.endMin) - top(p.startMin) - 2),
                        insetInlineStart: `calc(${p.lane * width}% + 4px)`,
                        width: `calc(${width}% - 8px)`,
                      }}>
                      <span className="t">{a.local_time}</span>
                      <span className="n">{a.customer_name || t("leads.unnamed")}</span>
                    </button>
                  );
                })}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
