// Calls: newest first, filterable by direction.
import { useState } from "react";
import { Empty, ErrorNotice, Loading } from "../../components/ui/Feedback";
import { Pager } from "../../components/ui/Pager";
import { useI18n } from "../../lib/i18n";
import { useLoad } from "../../lib/useLoad";
import { listCalls, PAGE_SIZE } from "./api";
import { CallsTable } from "./CallsTable";

const DIRECTIONS = ["", "inbound", "outbound", "browser"];

export default function CallsPage() {
  const { t, tx } = useI18n();
  const [page, setPage] = useState(1);
  const [direction, setDirection] = useState("");
  const { data, error, loading, reload } = useLoad(() => listCalls(page, direction), [page, direction]);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t("calls.title")}</h1>
          <div className="sub">{t("calls.sub")}</div>
        </div>
        <div className="actions">
          <div className="segmented">
            {DIRECTIONS.map((d) => (
              <button key={d} className={direction === d ? "on" : ""} onClick={() => { setDirection(d); setPage(1); }}>
                {d ? tx("dir", d) : t("common.all")}
              </button>
            ))}
          </div>
        </div>
      </div>
      <div className="card">
        <ErrorNotice error={error} onRetry={reload} />
        {loading && !data ? <Loading /> : data && !data.items.length ? <Empty>{t("calls.empty")}</Empty> : data && <CallsTable calls={data.items} />}
        {data && data.total > 0 && <Pager page={data.page} pageSize={data.page_size || PAGE_SIZE} total={data.total} onPage={setPage} />}
      </div>
    </>
  );
}
