// Dates and times in the BUSINESS time zone (from /auth/me), never the browser's: an owner
// abroad still sees the clinic's 09:00 as 09:00. Local dates are "YYYY-MM-DD" strings and all
// arithmetic on them is done on UTC midnights, which have no daylight-saving gaps.

const isoDateFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local date ("YYYY-MM-DD") of an instant in a zone. */
export function localDateOf(instant: Date, timeZone: string): string {
  let f = isoDateFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    isoDateFormatters.set(timeZone, f);
  }
  return f.format(instant);
}

/** Minutes since local midnight of an instant in a zone. */
export function localMinutesOf(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get("hour") * 60 + get("minute");
}

export function todayIn(timeZone: string): string {
  return localDateOf(new Date(), timeZone);
}

function utcMidnight(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export function addDays(day: string, days: number): string {
  const d = utcMidnight(day);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, as the API's weekly hours number them. */
export function weekdayOf(day: string): number {
  return utcMidnight(day).getUTCDay();
}

/** The Sunday that starts the Israeli week holding `day`. */
export function weekStart(day: string): string {
  return addDays(day, -weekdayOf(day));
}

/** "HH:MM" -> minutes since midnight ("24:00" -> 1440). */
export function parseClock(text: string): number {
  const [h = "0", m = "0"] = text.split(":");
  return Number(h) * 60 + Number(m);
}

export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** A local date as words, e.g. "יום ראשון, 29 במרץ" (formatted at UTC: it is a date, not an instant). */
export function formatDay(day: string, locale: string, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(utcMidnight(day));
}

/** An instant (ISO string) shown as a date and time in the business zone. */
export function formatInstant(iso: string | null | undefined, timeZone: string, locale: string, withDate = true): string {
  if (!iso) return "—";
  const options: Intl.DateTimeFormatOptions = withDate
    ? { timeZone, day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
    : { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  return new Intl.DateTimeFormat(locale, options).format(new Date(iso));
}

/** Seconds as "m:ss" (or "h:mm:ss"). */
export function formatDuration(secs: number | null | undefined): string {
  if (secs == null) return "—";
  const total = Math.round(secs);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
