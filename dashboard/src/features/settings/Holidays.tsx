// Holiday suggestions: nothing closes until the owner accepts one, which adds an override.
import { useState } from "react";
import { Badge } from "../../components/ui/Badge";
import { ErrorNotice, Loading } from "../../components/ui/Feedback";
import { useI18n } from "../../lib/i18n";
import { formatDay } from "../../lib/time";
import { useLoad } from "../../lib/useLoad";
import { acceptHoliday, getHolidays } from "./api";

export function Holidays({ onAccepted }: { onAccepted: () => void }) {
  const { t, lang, locale } = useI18n();
  const { data, error, reload } = useLoad(getHolidays, []);
  const [actionError, setActionError] = useState<unknown>(null);
  async function accept(date: string) {
    setActionError(null);
    try {
      await acceptHoliday(date);
      reload();
      onAccepted();
    } catch (err) {
      setActionError(err);
    }
  }
  return (
    <div className="card" data-testid="holidays">
      <div className="card-head"><div><h2>{t("set.holidays")}</h2><div className="desc">{t("set.holidaysDesc")}</div></div></div>
      <ErrorNotice error={error ?? actionError} onRetry={reload} />
      {!data && !error ? <Loading /> : data && !data.length ? <div className="card-body faint">{t("set.noHolidays")}</div> : data && (
        <table className="table"><tbody>
          {data.slice(0, 12).map((h) => (
            <tr key={h.date}>
              <td className="strong">{lang === "he" ? h.name_he : h.name_en}</td>
              <td className="muted">{formatDay(h.date, locale, { weekday: "short", day: "numeric", month: "long", year: "numeric" })}</td>
              <td><Badge tone={h.suggested === "closed" ? "red" : "amber"}>{h.suggested === "closed" ? t("cal.closed") : t("set.shortDay")}</Badge></td>
              <td style={{ textAlign: "end" }}>
                {h.is_accepted ? <Badge tone="green">{t("set.accepted")}</Badge>
                  : <button className="btn btn-sm" onClick={() => void accept(h.date)}>{t("set.accept")}</button>}
              </td>
            </tr>
          ))}
        </tbody></table>
      )}
    </div>
  );
}
