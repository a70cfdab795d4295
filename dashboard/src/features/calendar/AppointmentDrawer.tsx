// One appointment: who, when, the lead, the call's transcript and summary; move or cancel it.
import { useState } from "react";
import { Badge, statusTone } from "../../components/ui/Badge";
import { Drawer } from "../../components/ui/Drawer";
import { ErrorNotice, Loading } from "../../components/ui/Feedback";
import { Field } from "../../components/ui/Field";
import { useI18n } from "../../lib/i18n";
import { href } from "../../lib/router";
import { formatClock, formatDay } from "../../lib/time";
import type { TranscriptTurn } from "../../lib/types";
import { useLoad } from "../../lib/useLoad";
import { formatPhone } from "../../lib/phone";
import { Transcript } from "../calls/Transcript";
import { cancelAppointment, getAppointment, moveAppointment } from "./api";
import { BookingRefusal } from "./BookingRefusal";
import { durationMinutes } from "./layout";
import { parseClock } from "../../lib/time";

interface Props {
  id: string;
  onClose: () => void;
  onChanged: () => void;
}

export function AppointmentDrawer({ id, onClose, onChanged }: Props) {
  const { t, tx, locale } = useI18n();
  const { data: appt, error, reload } = useLoad(() => getAppointment(id), [id]);
  const [moving, setMoving] = useState(false);
  const [date, setDate] = useState("");
  const [time, setTime] = useState("");
  const [actionError, setActionError] = useState<unknown>(null);
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);

  async function act(action: () => Promise<unknown>, message: string) {
    setBusy(true);
    setActionError(null);
    try {
      await action();
      setDone(message);
      setMoving(false);
      reload();
      onChanged();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  }

  const when = appt && (
    <>
      {formatDay(appt.local_date, locale, { weekday: "long", day: "numeric", month: "long" })},{" "}
      <span className="num">{appt.local_time}–{formatClock(parseClock(appt.local_time) + durationMinutes(appt))}</span>
    </>
  );
  const isActive = appt && appt.status !== "cancelled";

  return (
    <Drawer testId="appointment-drawer" onClose={onClose}
      title={appt?.customer_name || t("appt.title")}
      subtitle={when}
      footer={isActive && !moving ? (
        <>
          <button className="btn" data-testid="move-appointment" onClick={() => { setMoving(true); setDate(appt.local_date); setTime(appt.local_time); setDone(""); }}>
            {t("appt.move")}
          </button>
          <span className="spacer" />
          <button className="btn btn-danger" disabled={busy} data-testid="cancel-appointment"
            onClick={() => window.confirm(t("appt.confirmCancel")) && void act(() => cancelAppointment(id), t("appt.cancelled"))}>
            {t("appt.cancelAppt")}
          </button>
        </>
      ) : undefined}>
      <ErrorNotice error={error} onRetry={reload} />
      {!appt && !error && <Loading />}
      {done && <div className="notice success">{done}</div>}
      {appt && (
        <>
          {moving && (
            <form className="card card-body stack" onSubmit={(e) => { e.preventDefault(); void act(() => moveAppointment(id, date, time), t("appt.moved")); }}>
              <h3>{t("appt.move")}</h3>
              <div className="grid-2">
                <Field label={t("create.date")}><input className="input" type="date" value={date} onChange={(e) => setDate(e.target.value)} required /></Field>
                <Field label={t("create.time")}><input className="input" type="time" step={300} value={time} onChange={(e) => setTime(e.target.value)} required /></Field>
              </div>
              <BookingRefusal error={actionError} day={date} time={time} onPick={(d, tm) => { setDate(d); setTime(tm); }} />
              <div className="row">
                <button className="btn btn-primary" type="submit" disabled={busy}>{t("appt.moveSubmit")}</button>
                <button type="button" className="btn btn-ghost" onClick={() => { setMoving(false); setActionError(null); }}>{t("common.cancel")}</button>
              </div>
            </form>
          )}
          {!moving && <BookingRefusal error={actionError} day={appt.local_date} time={appt.local_time} onPick={() => {}} />}
          <dl className="kv">
            <dt>{t("appt.status")}</dt>
            <dd><Badge tone={appt.status === "booked" ? "indigo" : statusTone(appt.status)}>{tx("appt.status", appt.status)}</Badge></dd>
            {appt.lead && (
              <>
                <dt>{t("appt.lead")}</dt>
                <dd><a href={href(`leads/${appt.lead.id}`)}>{appt.lead.full_name || t("leads.unnamed")}</a></dd>
                <dt>{t("appt.phone")}</dt>
                <dd><span className="num">{formatPhone(appt.lead.phone_e164)}</span></dd>
              </>
            )}
            {appt.notes && (<><dt>{t("appt.notes")}</dt><dd>{appt.notes}</dd></>)}
            {appt.call_id && (<><dt>{t("nav.calls")}</dt><dd><a href={href(`calls/${appt.call_id}`)}>{t("appt.openCall")}</a></dd></>)}
          </dl>
          <section>
            <div className="section-title">{t("appt.summary")}</div>
            {appt.summary ? <div className="summary" data-testid="summary">{appt.summary}</div> : <p className="faint">{t("appt.noSummary")}</p>}
          </section>
          <section>
            <div className="section-title">{t("appt.transcript")}</div>
            {appt.call_id || appt.transcript?.length ? <Transcript turns={appt.transcript as unknown as TranscriptTurn[] | null} /> : <p className="faint">{t("appt.noTranscript")}</p>}
          </section>
        </>
      )}
    </Drawer>
  );
}
