// A new appointment: pick one of the free times the agent itself would offer (GET /slots), or
// type a time; the API applies the agent's rules and overlap guard and may refuse.
import { useEffect, useState, type FormEvent } from "react";
import { Drawer } from "../../components/ui/Drawer";
import { errorText } from "../../components/ui/Feedback";
import { Field } from "../../components/ui/Field";
import { fieldErrors } from "../../lib/http";
import { useI18n } from "../../lib/i18n";
import { formatDay } from "../../lib/time";
import type { Appointment, Slots } from "../../lib/types";
import { createAppointment, getSlots } from "./api";
import { BookingRefusal, refusalOf } from "./BookingRefusal";

interface Props {
  initialDay: string;
  initialTime: string;
  onClose: () => void;
  onBooked: (appointment: Appointment) => void;
}

export function CreateDrawer({ initialDay, initialTime, onClose, onBooked }: Props) {
  const { t, tx, locale } = useI18n();
  const [date, setDate] = useState(initialDay);
  const [time, setTime] = useState(initialTime);
  const [name, setName] = useState("");
  const [notes, setNotes] = useState("");
  const [slots, setSlots] = useState<Slots | null>(null);
  const [slotsError, setSlotsError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!date) return;
    let live = true;
    setSlots(null);
    getSlots(date, /^\d\d:\d\d$/.test(time) ? time : undefined)
      .then((s) => live && (setSlots(s), setSlotsError(null)))
      .catch((e: unknown) => live && setSlotsError(e));
    return () => { live = false; };
  }, [date, time]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onBooked(await createAppointment({ date, time, customer_name: name, ...(notes ? { notes } : {}) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const invalid = refusalOf(error) ? {} : fieldErrors(error);
  return (
    <Drawer testId="create-drawer" title={t("create.title")} onClose={onClose}
      subtitle={date && formatDay(date, locale, { weekday: "long", day: "numeric", month: "long", year: "numeric" })}>
      <form className="stack" onSubmit={submit} id="create-form">
        <div className="grid-2">
          <Field label={t("create.date")} error={invalid.date} name="date">
            <input className="input" type="date" name="date" value={date} onChange={(e) => setDate(e.target.value)} required />
          </Field>
          <Field label={t("create.time")} error={invalid.time} name="time">
            <input className="input" type="time" name="time" step={300} value={time} onChange={(e) => setTime(e.target.value)} required />
          </Field>
        </div>
        <section className="card card-body" data-testid="slots" style={{ background: "var(--surface-2)" }}>
          <div className="section-title">{t("create.freeSlots")}</div>
          {slotsError ? <div className="field-error">{errorText(slotsError, t)}</div>
            : !slots ? <span className="spinner" />
            : slots.status ? <p className="muted" data-testid="day-status">{tx("create.dayStatus", slots.status)}</p>
            : slots.slots?.length ? (
              <div className="slot-chips">
                {slots.slots.map((s) => (
                  <button type="button" key={s} className={`chip${s === time ? " on" : ""}`} data-testid="slot" onClick={() => setTime(s)}>{s}</button>
                ))}
              </div>
            ) : <p className="muted">{t("create.noSlots")}</p>}
          {!!slots?.next_open_dates?.length && (
            <div className="row" style={{ marginTop: 10 }}>
              <span className="muted">{t("create.nextOpen")}</span>
              {slots.next_open_dates.map((d) => (
                <button type="button" key={d} className="chip" onClick={() => { setDate(d); setTime(""); }}>
                  {formatDay(d, locale, { weekday: "short", day: "numeric", month: "short" })}
                </button>
              ))}
            </div>
          )}
        </section>
        <Field label={t("create.name")} error={invalid.customer_name} name="customer_name">
          <input className="input" name="customer_name" value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field label={t("create.notes")} error={invalid.notes} name="notes">
          <textarea className="textarea" name="notes" value={notes} onChange={(e) => setNotes(e.target.value)} />
        </Field>
        <BookingRefusal error={error} day={date} time={time} onPick={(d, tm) => { setDate(d); setTime(tm); setError(null); }} />
        <div className="row">
          <button className="btn btn-primary" type="submit" disabled={busy} data-testid="book">{t("create.submit")}</button>
          <button className="btn btn-ghost" type="button" onClick={onClose}>{t("common.cancel")}</button>
        </div>
      </form>
    </Drawer>
  );
}
