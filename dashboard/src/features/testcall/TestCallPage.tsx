// Test call: the owner talks to the agent from the browser, through the phone's call path.
import { useEffect, useReducer, useRef, useState } from "react";
import { Badge, type Tone } from "../../components/ui/Badge";
import { Icon } from "../../components/ui/Icon";
import { client, unwrap } from "../../lib/http";
import { useI18n } from "../../lib/i18n";
import { href } from "../../lib/router";
import { formatDuration } from "../../lib/time";
import { BrowserCall, type CallStatus } from "./browserCall";

const TONES: Record<CallStatus, Tone> = { idle: "gray", connecting: "amber", live: "green", ended: "gray", failed: "red" };

export default function TestCallPage() {
  const { t, tx } = useI18n();
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const callRef = useRef<BrowserCall | null>(null);
  const logRef = useRef<HTMLDivElement | null>(null);
  const [error, setError] = useState("");
  const [lastCallId, setLastCallId] = useState<string | null>(null);
  const call = callRef.current;
  const status: CallStatus = call?.status ?? "idle";

  useEffect(() => () => callRef.current?.hangUp(), []);
  useEffect(() => {
    if (status !== "ended") return;
    // The call record is written as the call closes: look it up shortly after.
    const timer = setTimeout(() => {
      unwrap(client.GET("/api/v1/calls", { params: { query: { direction: "browser", page: 1, page_size: 1 } } }))
        .then((page) => setLastCallId(page.items[0]?.id ?? null))
        .catch(() => setLastCallId(null));
    }, 800);
    return () => clearTimeout(timer);
  }, [status]);

  async function start() {
    setError("");
    setLastCallId(null);
    const next = new BrowserCall(rerender);
    callRef.current = next;
    try {
      await next.start();
    } catch (err) {
      setError(err instanceof DOMException && err.name === "NotAllowedError" ? t("test.micDenied") : t("test.status.failed"));
    }
    rerender();
  }

  useEffect(() => {
    const box = logRef.current;
    if (box) box.scrollTop = box.scrollHeight;
  });
  const stats = call?.stats;
  const elapsed = stats?.startedAt ? (Date.now() - stats.startedAt) / 1000 : 0;
  const active = status === "live" || status === "connecting";
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t("test.title")}</h1>
          <div className="sub">{t("test.sub")}</div>
        </div>
      </div>
      <div className="phone">
        <div className="card dial" data-testid="test-call" data-status={status}>
          <Badge tone={TONES[status]}>{tx("test.status", status)}</Badge>
          <div className={`orb${active ? "" : " idle"}`} style={{ transform: `scale(${1 + Math.min(0.15, (stats?.level ?? 0) * (active ? 1.5 : 0))})` }}>
            <Icon name="mic" />
          </div>
          <div className="timer">{formatDuration(status === "idle" ? 0 : elapsed)}</div>
          <div className="meter"><div style={{ width: `${Math.min(100, (active ? stats?.level ?? 0 : 0) * 400)}%` }} /></div>
          {active ? (
            <button className="btn btn-danger" style={{ width: "100%", height: 44 }} onClick={() => { call?.hangUp(); rerender(); }} data-testid="hang-up">
              <Icon name="phoneOff" /> {t("test.hangup")}
            </button>
          ) : (
            <button className="btn btn-primary" style={{ width: "100%", height: 44 }} onClick={() => void start()} data-testid="start-call">
              <Icon name="phone" /> {t("test.start")}
            </button>
          )}
          {error && <div className="notice error" role="alert" style={{ width: "100%" }}>{error}</div>}
          {status === "ended" && lastCallId && <a href={href(`calls/${lastCallId}`)} data-testid="view-call">{t("test.viewCall")} →</a>}
          <p className="faint" style={{ fontSize: 12 }}>{t("test.hint")}</p>
        </div>
        <div className="stack">
          <div className="stats">
            <div className="stat"><div className="v" data-testid="frames-sent">{stats?.framesSent ?? 0}</div><div className="k">{t("test.sent")} · {t("test.frames")}</div></div>
            <div className="stat"><div className="v" data-testid="frames-received">{stats?.framesReceived ?? 0}</div><div className="k">{t("test.received")} · {t("test.frames")}</div></div>
            <div className="stat"><div className="v">{((stats?.framesReceived ?? 0) * 0.02).toFixed(1)}</div><div className="k">{t("test.received")} · {t("test.seconds")}</div></div>
            <div className="stat"><div className="v" data-testid="marks">{stats?.marksEchoed ?? 0}</div><div className="k">{t("test.marks")}</div></div>
            <div className="stat"><div className="v">{stats?.clears ?? 0}</div><div className="k">{t("test.clears")}</div></div>
            <div className="stat"><div className="v">{((stats?.framesSent ?? 0) * 0.02).toFixed(1)}</div><div className="k">{t("test.sent")} · {t("test.seconds")}</div></div>
          </div>
          <div className="card">
            <div className="card-head"><h2>{t("test.events")}</h2></div>
            <div className="card-body">
              <div className="log" data-testid="call-log" ref={logRef}>
                {(call?.events ?? []).slice(-60).map((line, i) => <div key={i}>{line}</div>)}
                {!call && <div>—</div>}
              </div>
            </div>
          </div>
        </div>
      </div>
    </>
  );
}
