// Loading, empty and error states shared by every page.
import type { ReactNode } from "react";
import { ApiError } from "../../lib/http";
import { useI18n, type Translate } from "../../lib/i18n";

export function Loading() {
  const { t } = useI18n();
  return <div className="loading"><span className="spinner" /> {t("common.loading")}</div>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** A readable sentence for any failed request. */
export function errorText(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) return t("error.generic");
  if (error.status === 0) return t("error.network");
  if (error.status === 403) return t("error.forbidden");
  if (error.status === 404) return t("error.notFound");
  const detail = error.detail;
  if (detail && typeof detail === "object" && !Array.isArray(detail) && "message" in detail) {
    return String((detail as { message: unknown }).message);
  }
  if (error.status === 422) return t("error.validation");
  return typeof detail === "string" ? detail : t("error.generic");
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <div className="notice error" role="alert">
      <div className="spacer">{errorText(error, t)}</div>
      {onRetry && <button className="btn btn-sm" onClick={onRetry}>{t("common.retry")}</button>}
    </div>
  );
}
