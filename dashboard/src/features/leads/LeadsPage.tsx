// Leads: search by name, phone or email, filter by status, page through.
import { useEffect, useState } from "react";
import { Badge, statusTone } from "../../components/ui/Badge";
import { Empty, ErrorNotice, Loading } from "../../components/ui/Feedback";
import { Icon } from "../../components/ui/Icon";
import { Pager } from "../../components/ui/Pager";
import { useI18n } from "../../lib/i18n";
import { navigate } from "../../lib/router";
import { useMe } from "../../lib/session";
import { formatInstant } from "../../lib/time";
import { LEAD_STATUSES } from "../../lib/types";
import { useLoad } from "../../lib/useLoad";
import { formatPhone } from "../../lib/phone";
import { listLeads, PAGE_SIZE } from "./api";

export default function LeadsPage() {
  const { t, tx, locale } = useI18n();
  const { timezone } = useMe().business;
  const [input, setInput] = useState("");
  const [q, setQ] = useState("");
  const [status, setStatus] = useState("");
  const [page, setPage] = useState(1);
  useEffect(() => {
    const timer = setTimeout(() => { setQ(input.trim()); setPage(1); }, 250);
    return () => clearTimeout(timer);
  }, [input]);
  const { data, error, loading, reload } = useLoad(() => listLeads(q, status, page), [q, status, page]);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t("leads.title")}</h1>
          <div className="sub">{t("leads.sub")}</div>
        </div>
      </div>
      <div className="card">
        <div className="toolbar">
          <div className="search">
            <Icon name="search" />
            <input className="input" type="search" placeholder={t("leads.search")} value={input}
              onChange={(e) => setInput(e.target.value)} data-testid="lead-search" />
          </div>
          <select className="select" style={{ width: 180 }} value={status} onChange={(e) => { setStatus(e.target.value); setPage(1); }}>
            <option value="">{t("leads.status")}: {t("common.all")}</option>
            {LEAD_STATUSES.map((s) => <option key={s} value={s}>{tx("lead.status", s)}</option>)}
          </select>
        </div>
        <ErrorNotice error={error} onRetry={reload} />
        {loading && !data ? <Loading /> : data && !data.items.length ? <Empty>{t("leads.empty")}</Empty> : data && (
          <table className="table" data-testid="leads-table">
            <thead>
              <tr>
                <th>{t("leads.name")}</th><th>{t("leads.phone")}</th><th>{t("leads.email")}</th>
                <th>{t("leads.status")}</th><th>{t("leads.updated")}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((lead) => (
                <tr key={lead.id} className="link" onClick={() => navigate(`leads/${lead.id}`)} data-testid="lead-row" data-id={lead.id}>
                  <td className="strong">{lead.full_name || <span className="faint">{t("leads.unnamed")}</span>}</td>
                  <td><span className="num">{formatPhone(lead.phone_e164)}</span></td>
                  <td className="muted">{lead.email ?? t("common.none")}</td>
                  <td><Badge tone={statusTone(lead.status)}>{tx("lead.status", lead.status)}</Badge></td>
                  <td className="muted when">{formatInstant(lead.updated_at ?? lead.created_at, timezone, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {data && data.total > 0 && <Pager page={data.page} pageSize={data.page_size || PAGE_SIZE} total={data.total} onPage={setPage} />}
      </div>
    </>
  );
}
