// One lead: editable details (a person's edit the agent never overwrites), timeline, calls
// and appointments.
import { useEffect, useState, type FormEvent } from "react";
import { Badge, statusTone } from "../../components/ui/Badge";
import { Empty, ErrorNotice, Loading } from "../../components/ui/Feedback";
import { Field } from "../../components/ui/Field";
import { fieldErrors } from "../../lib/http";
import { useI18n } from "../../lib/i18n";
import { href, navigate } from "../../lib/router";
import { useMe } from "../../lib/session";
import { formatDuration, formatInstant } from "../../lib/time";
import { LEAD_STATUSES, type LeadDetail } from "../../lib/types";
import { useLoad } from "../../lib/useLoad";
import { formatPhone } from "../../lib/phone";
import { DirectionBadge, outcomeTone } from "../calls/CallsTable";
import { getLead, updateLead } from "./api";
import { LeadTimeline } from "./LeadTimeline";

export default function LeadPage({ id }: { id: string }) {
  const { t, tx, locale } = useI18n();
  const { timezone } = useMe().business;
  const { data: lead, error, reload, setData } = useLoad(() => getLead(id), [id]);
  const [form, setForm] = useState({ full_name: "", email: "", status: "new", notes: "" });
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (lead) setForm({ full_name: lead.full_name ?? "", email: lead.email ?? "", status: lead.status, notes: lead.notes ?? "" });
  }, [lead]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setSaved(false);
    setSaveError(null);
    try {
      const updated = await updateLead(id, { full_name: form.full_name, email: form.email, status: form.status as LeadDetail["status"], notes: form.notes });
      setData({ ...(lead as LeadDetail), ...updated });
      setSaved(true);
      reload();
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  }

  const invalid = fieldErrors(saveError);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  return (
    <>
      <div className="page-head">
        <div>
          <a href={href("leads")} className="muted" style={{ fontSize: 13 }}>{t("leads.back")}</a>
          <h1 style={{ marginTop: 4 }}>{lead?.full_name || t("leads.unnamed")}</h1>
          {lead && <div className="sub row"><span className="num">{formatPhone(lead.phone_e164)}</span><Badge tone={statusTone(lead.status)}>{tx("lead.status", lead.status)}</Badge></div>}
        </div>
      </div>
      <ErrorNotice error={error} onRetry={reload} />
      {!lead && !error && <Loading />}
      {lead && (
        <div style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr) 380px", gap: 20, alignItems: "start" }}>
          <div className="stack">
            <form className="card" onSubmit={save} data-testid="lead-form">
              <div className="card-head"><div><h2>{t("leads.details")}</h2><div className="desc">{t("leads.humanNote")}</div></div></div>
              <div className="card-body stack">
                <div className="grid-2">
                  <Field label={t("leads.name")} error={invalid.full_name} name="full_name"><input className="input" name="full_name" value={form.full_name} onChange={set("full_name")} /></Field>
                  <Field label={t("leads.email")} error={invalid.email} name="email"><input className="input" name="email" type="email" dir="ltr" value={form.email} onChange={set("email")} /></Field>
                </div>
                <Field label={t("leads.status")} error={invalid.status} name="status">
                  <select className="select" name="status" value={form.status} onChange={set("status")}>
                    {LEAD_STATUSES.map((s) => <option key={s} value={s}>{tx("lead.status", s)}</option>)}
                  </select>
                </Field>
                <Field label={t("leads.notes")} error={invalid.notes} name="notes"><textarea className="textarea" name="notes" value={form.notes} onChange={set("notes")} /></Field>
                <ErrorNotice error={Object.keys(invalid).length ? null : saveError} />
              </div>
              <div className="card-foot">
                <button className="btn btn-primary" type="submit" disabled={busy}>{t("common.save")}</button>
                {saved && <span className="muted" role="status">{t("common.saved")} ✓</span>}
              </div>
            </form>
            <div className="card">
              <div className="card-head"><h2>{t("leads.calls")}</h2></div>
              {lead.calls.length ? (
                <table className="table"><tbody>
                  {lead.calls.map((c) => (
                    <tr key={c.id} className="link" onClick={() => navigate(`calls/${c.id}`)} data-testid="lead-call">
                      <td><DirectionBadge direction={c.direction} /></td>
                      <td className="muted when">{formatInstant(c.started_at, timezone, locale)}</td>
                      <td><span className="num">{formatDuration(c.duration_secs)}</span></td>
                      <td><Badge tone={outcomeTone(c.outcome)}>{tx("outcome", c.outcome)}</Badge></td>
                      <td className="clip">{c.summary ?? ""}</td>
                    </tr>
                  ))}
                </tbody></table>
              ) : <Empty>{t("calls.empty")}</Empty>}
            </div>
            <div className="card">
              <div className="card-head"><h2>{t("leads.appointments")}</h2></div>
              {lead.appointments.length ? (
                <table className="table"><tbody>
                  {lead.appointments.map((a) => (
                    <tr key={a.id}>
                      <td className="strong when">{formatInstant(a.starts_at, timezone, locale)}</td>
                      <td className="muted">{a.notes ?? ""}</td>
                      <td><Badge tone={a.status === "booked" ? "indigo" : statusTone(a.status)}>{tx("appt.status", a.status)}</Badge></td>
                    </tr>
                  ))}
                </tbody></table>
              ) : <Empty>{t("common.none")}</Empty>}
            </div>
          </div>
          <div className="card">
            <div className="card-head"><h2>{t("leads.timeline")}</h2></div>
            <div className="card-body"><LeadTimeline events={lead.events} timeZone={timezone} /></div>
          </div>
        </div>
      )}
    </>
  );
}
