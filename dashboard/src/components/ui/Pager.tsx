import { useI18n } from "../../lib/i18n";

export function Pager({ page, pageSize, total, onPage }: { page: number; pageSize: number; total: number; onPage: (page: number) => void }) {
  const { t } = useI18n();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <div className="pager">
      <span>{t("common.total", { n: total })}</span>
      <span className="spacer" />
      <span>{t("common.page", { page, pages })}</span>
      <button className="btn btn-sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t("common.prev")}</button>
      <button className="btn btn-sm" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t("common.next")}</button>
    </div>
  );
}
