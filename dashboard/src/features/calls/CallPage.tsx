// One call: summary, transcript, barge-ins, latency figures and the agent's tool calls.
import { Badge } from "../../components/ui/Badge";
import { Empty, ErrorNotice, Loading } from "../../components/ui/Feedback";
import { useI18n } from "../../lib/i18n";
import { href } from "../../lib/router";
import { useMe } from "../../lib/session";
import { formatDuration, formatInstant } from "../../lib/time";
import type { BargeIn, TranscriptTurn } from "../../lib/types";
import { useLoad } from "../../lib/useLoad";
import { formatPhone } from "../../lib/phone";
import { getCall } from "./api";
import { DirectionBadge, outcomeTone } from "./CallsTable";
import { Transcript } from "./Transcript";

/** A latency figure: numbers rounded, lists counted. */
function figure(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(1);
  if (Array.isArray(value)) return String(value.length);
  return value == null ? "—" : String(value);
}

export default function CallPage({ id }: { id: string }) {
  const { t, tx, locale } = useI18n();
  const { timezone } = useMe().business;
  const { data: c, error, reload } = useLoad(() => getCall(id), [id]);
  // The record keeps every decision; the owner sees the ones that cut the agent off.
  const bargeIns = ((c?.barge_ins ?? []) as unknown as BargeIn[]).filter(
    (b) => b.kind === undefined || b.kind === "committed",
  );
  const tools = (c?.tool_calls ?? []) as { call_id?: string; name?: string; arguments?: unknown }[];
  return (
    <>
      <div className="page-head">
        <div>
          <a href={href("calls")} className="muted" style={{ fontSize: 13 }}>{t("calls.back")}</a>
          <h1 style={{ marginTop: 4 }} className="row">
            {!c ? t("calls.details") : c.direction === "browser" ? t("nav.testCall")
              : <span className="num">{formatPhone(c.direction === "outbound" ? c.to_number : c.from_number)}</span>}
            {c && <DirectionBadge direction={c.direction} />}
          </h1>
          {c && <div className="sub">{formatInstant(c.started_at, timezone, locale)} · <span className="num">{formatDuration(c.duration_secs)}</span></div>}
        </div>
      </div>
      <ErrorNotice error={error} onRetry={reload} />
      {!c && !error && <Loading />}
      {c && (
        <div style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr) 360px", gap: 20, alignItems: "start" }}>
          <div className="stack">
            <div className="card">
              <div className="card-head"><h2>{t("calls.summary")}</h2></div>
              <div className="card-body">{c.summary ? <div className="summary" data-testid="summary">{c.summary}</div> : <p className="faint">{t("appt.noSummary")}</p>}</div>
            </div>
            <div className="card">
              <div className="card-head"><h2>{t("calls.transcript")}</h2></div>
              <div className="card-body"><Transcript turns={c.transcript as unknown as TranscriptTurn[]} /></div>
            </div>
          </div>
          <div className="stack">
            <div className="card">
              <div className="card-head"><h2>{t("calls.details")}</h2></div>
              <div className="card-body">
                <dl className="kv">
                  <dt>{t("calls.from")}</dt><dd>{c.direction === "browser" ? t("calls.browserCaller") : <span className="num">{formatPhone(c.from_number)}</span>}</dd>
                  <dt>{t("calls.to")}</dt><dd><span className="num">{formatPhone(c.to_number)}</span></dd>
                  <dt>{t("calls.outcome")}</dt><dd>{c.outcome ? <Badge tone={outcomeTone(c.outcome)}>{tx("outcome", c.outcome)}</Badge> : t("common.none")}</dd>
                  <dt>{t("calls.endReason")}</dt><dd>{c.end_reason ? tx("end", c.end_reason) : t("common.none")}</dd>
                  {c.lead_id && (<><dt>{t("appt.lead")}</dt><dd><a href={href(`leads/${c.lead_id}`)}>{t("appt.openLead")}</a></dd></>)}
                </dl>
              </div>
            </div>
            <div className="card" data-testid="latency">
              <div className="card-head"><h2>{t("calls.latency")}</h2></div>
              <div className="card-body">
                <div className="stats" style={{ gridTemplateColumns: "1fr 1fr" }}>
                  {Object.entries(c.latency ?? {}).map(([key, value]) => (
                    <div className="stat" key={key}><div className="v">{figure(value)}</div><div className="k">{tx("lat", key)}</div></div>
                  ))}
                </div>
              </div>
            </div>
            <div className="card" data-testid="barge-ins">
              <div className="card-head"><h2>{t("calls.bargeIns")}</h2><span className="spacer" /><Badge plain>{bargeIns.length}</Badge></div>
              <div className="card-body">
                {bargeIns.length ? (
                  <ul className="timeline">
                    {bargeIns.map((b, i) => (
                      <li key={i}>
                        <span className="dot" style={{ borderColor: "#f79009" }} />
                        <div style={{ fontWeight: 600 }}>{t("calls.bargeAt", { s: (b.at_ms / 1000).toFixed(1) })}</div>
                        <div className="muted" style={{ fontSize: 13 }}>
                          {(b.items ?? []).map((item) => t("calls.heard", { ms: item.heard_ms })).join(" · ")}
                          {b.cancelled_response ? ` · ${t("calls.cancelledReply")}` : ""}
                        </div>
                      </li>
                    ))}
                  </ul>
                ) : <p className="faint">{t("calls.noBargeIns")}</p>}
              </div>
            </div>
            <div className="card">
              <div className="card-head"><h2>{t("calls.tools")}</h2></div>
              {tools.length ? (
                <table className="table"><tbody>
                  {tools.map((tool, i) => (
                    <tr key={tool.call_id ?? i}>
                      <td className="strong" style={{ direction: "ltr" }}>{tool.name}</td>
                      <td className="muted" style={{ direction: "ltr", fontSize: 12, wordBreak: "break-all" }}>{typeof tool.arguments === "string" ? tool.arguments : JSON.stringify(tool.arguments ?? {})}</td>
                    </tr>
                  ))}
                </tbody></table>
              ) : <Empty>{t("common.none")}</Empty>}
            </div>
          </div>
        </div>
      )}
    </>
  );
}
