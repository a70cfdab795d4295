// Booking rules: weekly hours (split shifts), slot settings, date overrides; saved as one
// document through the same validator the agent uses, its refusals shown next to the field.
import { useEffect, useState, type FormEvent } from "react";
import { ErrorNotice, Loading } from "../../components/ui/Feedback";
import { Field } from "../../components/ui/Field";
import { Icon } from "../../components/ui/Icon";
import { useI18n } from "../../lib/i18n";
import { useMe } from "../../lib/session";
import { todayIn } from "../../lib/time";
import { WEEKDAYS, type BookingRules, type Ranges } from "../../lib/types";
import { useLoad } from "../../lib/useLoad";
import { getBooking, saveBooking } from "./api";
import { Holidays } from "./Holidays";
import { RangesEditor } from "./RangesEditor";
import { SaveBar } from "./SaveBar";
import { errorsUnder, useSave } from "./useSave";

export function BookingForm() {
  const { t, tx } = useI18n();
  const { timezone } = useMe().business;
  const { data, error, reload } = useLoad(getBooking, []);
  const [rules, setRules] = useState<BookingRules | null>(null);
  const { busy, saved, error: saveError, fields, save } = useSave();
  useEffect(() => setRules(data), [data]);
  if (error) return <ErrorNotice error={error} onRetry={reload} />;
  if (!rules) return <Loading />;

  const weekly = rules.weekly_hours;
  const overrides = Object.entries(rules.overrides ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const setWeekly = (day: string, ranges: Ranges) => setRules({ ...rules, weekly_hours: { ...weekly, [day]: ranges } });
  const setOverrides = (entries: [string, Ranges][]) => setRules({ ...rules, overrides: Object.fromEntries(entries) });
  const num = (key: "min_notice_minutes" | "window_days" | "buffer_minutes") => (e: { target: { value: string } }) =>
    setRules({ ...rules, [key]: e.target.value === "" ? 0 : Number(e.target.value) });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (rules && (await save(() => saveBooking(rules)))) reload();
  }

  return (
    <div className="stack">
      <form className="card" onSubmit={submit} data-testid="booking-form">
        <div className="card-head"><div><h2>{t("set.weeklyHours")}</h2><div className="desc">{t("set.weeklyHoursDesc")}</div></div></div>
        <div className="card-body" style={{ paddingBlock: 4 }}>
          {errorsUnder(fields, "weekly_hours") && !WEEKDAYS.some((d) => errorsUnder(fields, `weekly_hours.${d}`)) && (
            <div className="field-error" style={{ paddingTop: 12 }}>{errorsUnder(fields, "weekly_hours")}</div>
          )}
          {WEEKDAYS.map((day) => (
            <div className="hours-row" key={day} data-day={day}>
              <div className="hours-day">{tx("set.day", day)}</div>
              <RangesEditor ranges={weekly[day] ?? []} onChange={(r) => setWeekly(day, r)} error={errorsUnder(fields, `weekly_hours.${day}`)} testId={`hours-${day}`} />
            </div>
          ))}
        </div>
        <div className="card-head" style={{ borderTop: "1px solid var(--border)" }}><h2>{t("set.slotRules")}</h2></div>
        <div className="card-body">
          <div className="grid-3">
            <Field label={t("set.slotMinutes")} error={fields.slot_minutes} name="slot_minutes">
              <select className="select" value={rules.slot_minutes} onChange={(e) => setRules({ ...rules, slot_minutes: Number(e.target.value) as 30 | 45 | 60 })}>
                {[30, 45, 60].map((m) => <option key={m} value={m}>{m} {t("common.minutes")}</option>)}
              </select>
            </Field>
            <Field label={t("set.minNotice")} error={fields.min_notice_minutes} name="min_notice_minutes">
              <input className={`input${fields.min_notice_minutes ? " invalid" : ""}`} type="number" value={rules.min_notice_minutes} onChange={num("min_notice_minutes")} />
            </Field>
            <Field label={t("set.windowDays")} error={fields.window_days} name="window_days">
              <input className={`input${fields.window_days ? " invalid" : ""}`} type="number" value={rules.window_days} onChange={num("window_days")} />
            </Field>
            <Field label={t("set.buffer")} error={fields.buffer_minutes} name="buffer_minutes">
              <input className={`input${fields.buffer_minutes ? " invalid" : ""}`} type="number" value={rules.buffer_minutes} onChange={num("buffer_minutes")} />
            </Field>
            <Field label={t("set.dailyCap")} error={fields.daily_cap} hint={t("set.dailyCapHint")} name="daily_cap">
              <input className={`input${fields.daily_cap ? " invalid" : ""}`} type="number" value={rules.daily_cap ?? ""}
                onChange={(e) => setRules({ ...rules, daily_cap: e.target.value === "" ? null : Number(e.target.value) })} />
            </Field>
          </div>
        </div>
        <div className="card-head" style={{ borderTop: "1px solid var(--border)" }}>
          <div><h2>{t("set.overrides")}</h2><div className="desc">{t("set.overridesDesc")}</div></div>
          <span className="spacer" />
          <button type="button" className="btn btn-sm" onClick={() => setOverrides([...overrides, [todayIn(timezone), []]])}>
            <Icon name="plus" size={14} /> {t("set.addOverride")}
          </button>
        </div>
        <div className="card-body" style={{ paddingBlock: overrides.length ? 4 : 20 }}>
          {!overrides.length && <p className="faint">{t("set.noOverrides")}</p>}
          {overrides.map(([date, ranges], i) => (
            <div className="hours-row" key={i}>
              <div className="hours-day">
                <input className="input input-sm" type="date" value={date}
                  onChange={(e) => setOverrides(overrides.map((o, j) => (j === i ? [e.target.value, o[1]] : o)))} />
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOverrides(overrides.filter((_, j) => j !== i))}>{t("common.remove")}</button>
              </div>
              <RangesEditor ranges={ranges} onChange={(r) => setOverrides(overrides.map((o, j) => (j === i ? [o[0], r] : o)))}
                error={errorsUnder(fields, `overrides.${date}`)} />
            </div>
          ))}
        </div>
        <SaveBar busy={busy} saved={saved} error={saveError} shownFields={Object.keys(fields).length > 0} />
      </form>
      <Holidays onAccepted={reload} />
    </div>
  );
}
