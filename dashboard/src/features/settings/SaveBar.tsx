import { ErrorNotice } from "../../components/ui/Feedback";
import { useI18n } from "../../lib/i18n";

/** The card footer of a settings form; an error not tied to a shown field appears here. */
export function SaveBar({ busy, saved, error, shownFields }: { busy: boolean; saved: boolean; error: unknown; shownFields: boolean }) {
  const { t } = useI18n();
  return (
    <div className="card-foot">
      <button className="btn btn-primary" type="submit" disabled={busy} data-testid="save">{t("common.save")}</button>
      {saved && <span className="muted" role="status" data-testid="saved">{t("common.saved")} ✓</span>}
      <span className="spacer" />
      {error && !shownFields ? <ErrorNotice error={error} /> : null}
    </div>
  );
}
