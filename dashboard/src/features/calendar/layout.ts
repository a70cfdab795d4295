// Pure geometry of the week grid: which hours to show and where each appointment sits.
import { parseClock } from "../../lib/time";
import type { Appointment, BookingRules, Ranges } from "../../lib/types";
import { WEEKDAYS } from "../../lib/types";

export const HOUR_PX = 52;

export interface Placed {
  appointment: Appointment;
  startMin: number;
  endMin: number;
  lane: number;
  lanes: number;
}

export function durationMinutes(a: Appointment): number {
  return Math.max(15, Math.round((Date.parse(a.ends_at) - Date.parse(a.starts_at)) / 60000));
}

/** The opening hours of a local date: its override if any, else its weekday's hours. */
export function hoursOn(rules: BookingRules | null, day: string, weekday: number): Ranges {
  if (!rules) return [];
  const override = rules.overrides?.[day];
  if (override) return override;
  return rules.weekly_hours?.[WEEKDAYS[weekday]!] ?? [];
}

/** First and last hour shown: opening hours and appointments, padded, default 08-20. */
export function visibleHours(rules: BookingRules | null, appointments: Appointment[]): [number, number] {
  let first = 24 * 60;
  let last = 0;
  for (const ranges of Object.values(rules?.weekly_hours ?? {})) {
    for (const [from, to] of ranges) {
      first = Math.min(first, parseClock(from));
      last = Math.max(last, parseClock(to));
    }
  }
  for (const a of appointments) {
    const start = parseClock(a.local_time);
    first = Math.min(first, start);
    last = Math.max(last, start + durationMinutes(a));
  }
  if (first >= last) return [8, 20];
  return [Math.max(0, Math.floor(first / 60) - 1), Math.min(24, Math.ceil(last / 60) + 1)];
}

/** Side-by-side lanes for overlapping appointments of one day. */
export function placeDay(appointments: Appointment[]): Placed[] {
  const sorted = appointments
    .map((appointment) => {
      const startMin = parseClock(appointment.local_time);
      return { appointment, startMin, endMin: startMin + durationMinutes(appointment), lane: 0, lanes: 1 };
    })
    .sort((a, b) => a.startMin - b.startMin);
  let cluster: Placed[] = [];
  let clusterEnd = -1;
  const close = () => {
    const lanes = Math.max(1, ...cluster.map((p) => p.lane + 1));
    cluster.forEach((p) => (p.lanes = lanes));
    cluster = [];
  };
  for (const placed of sorted) {
    if (placed.startMin >= clusterEnd) close();
    const used = new Set(cluster.filter((p) => p.endMin > placed.startMin).map((p) => p.lane));
    while (used.has(placed.lane)) placed.lane++;
    cluster.push(placed);
    clusterEnd = Math.max(clusterEnd, placed.endMin);
  }
  close();
  return sorted;
}
