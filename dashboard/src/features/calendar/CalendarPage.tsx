// The calendar: week (Sunday-Saturday) or day view of the business's appointments, in the
// business's time zone, with the appointment drawer and the new-appointment form.
import { useCallback, useEffect, useState } from "react";
import { ErrorNotice } from "../../components/ui/Feedback";
import { Icon } from "../../components/ui/Icon";
import { useI18n } from "../../lib/i18n";
import { useMe } from "../../lib/session";
import { addDays, formatDay, todayIn, weekStart } from "../../lib/time";
import type { Appointment, BookingRules } from "../../lib/types";
import { useLoad } from "../../lib/useLoad";
import { getBookingRules, listAppointments } from "./api";
import { AppointmentDrawer } from "./AppointmentDrawer";
import { CreateDrawer } from "./CreateDrawer";
import { WeekGrid } from "./WeekGrid";

type View = "week" | "day";

export function CalendarPage() {
  const { t, locale } = useI18n();
  const { timezone } = useMe().business;
  const today = todayIn(timezone);
  const [view, setView] = useState<View>("week");
  const [anchor, setAnchor] = useState(today);
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState<{ day: string; time: string } | null>(null);
  const [rules, setRules] = useState<BookingRules | null>(null);

  const first = view === "week" ? weekStart(anchor) : anchor;
  const count = view === "week" ? 7 : 1;
  const days = Array.from({ length: count }, (_, i) => addDays(first, i));
  const end = addDays(first, count);
  const { data, error, reload } = useLoad(() => listAppointments(first, end), [first, end]);
  useEffect(() => {
    getBookingRules().then(setRules).catch(() => setRules(null));
  }, []);

  const close = useCallback(() => setOpenId(null), []);
  const closeCreate = useCallback(() => setCreating(null), []);
  const changed = useCallback(() => {
    reload();
  }, [reload]);

  const title = view === "week"
    ? `${formatDay(first, locale, { day: "numeric", month: "short" })} – ${formatDay(addDays(first, 6), locale, { day: "numeric", month: "short", year: "numeric" })}`
    : formatDay(first, locale, { weekday: "long", day: "numeric", month: "long", year: "numeric" });

  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t("cal.title")}</h1>
          <div className="sub" data-testid="cal-range">{title}</div>
        </div>
        <div className="actions">
          <div className="legend">
            <span><i style={{ background: "#12b76a" }} />{t("cal.legendBooked")}</span>
            <span><i style={{ background: "#4f46e5" }} />{t("cal.legendManual")}</span>
          </div>
          <div className="row" style={{ gap: 4 }}>
            <button className="btn btn-icon dir-icon" aria-label={t("common.prev")} data-testid="cal-prev" onClick={() => setAnchor(addDays(anchor, -count))}>
              <Icon name="chevronStart" />
            </button>
            <button className="btn" onClick={() => setAnchor(today)}>{t("cal.today")}</button>
            <button className="btn btn-icon dir-icon" aria-label={t("common.next")} data-testid="cal-next" onClick={() => setAnchor(addDays(anchor, count))}>
              <Icon name="chevronEnd" />
            </button>
          </div>
          <div className="segmented" role="tablist">
            <button className={view === "day" ? "on" : ""} onClick={() => setView("day")} data-testid="view-day">{t("cal.day")}</button>
            <button className={view === "week" ? "on" : ""} onClick={() => setView("week")} data-testid="view-week">{t("cal.week")}</button>
          </div>
          <button className="btn btn-primary" data-testid="new-appointment" onClick={() => setCreating({ day: anchor < today ? today : anchor, time: "" })}>
            <Icon name="plus" size={16} /> {t("cal.new")}
          </button>
        </div>
      </div>
      <ErrorNotice error={error} onRetry={reload} />
      <WeekGrid days={days} today={today} timeZone={timezone} appointments={data ?? []} rules={rules}
        onOpen={(a: Appointment) => setOpenId(a.id)} onCreate={(day, time) => setCreating({ day, time })} />
      <p className="faint" style={{ marginTop: 10, fontSize: 12 }}>{t("cal.timezone", { tz: timezone })}</p>
      {openId && <AppointmentDrawer id={openId} onClose={close} onChanged={changed} />}
      {creating && <CreateDrawer initialDay={creating.day} initialTime={creating.time} onClose={closeCreate}
        onBooked={(a) => { setCreating(null); setAnchor(a.local_date); changed(); }} />}
    </>
  );
}
