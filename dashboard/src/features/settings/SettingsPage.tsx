import { useState } from "react";
import { useI18n } from "../../lib/i18n";
import { BargeInForm } from "./BargeInForm";
import { BookingForm } from "./BookingForm";
import { ProfileForm } from "./ProfileForm";

const TABS = ["booking", "profile", "bargeIn"] as const;
type Tab = (typeof TABS)[number];

export default function SettingsPage() {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>("booking");
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t("set.title")}</h1>
          <div className="sub">{t("set.sub")}</div>
        </div>
      </div>
      <div className="tabs" role="tablist">
        {TABS.map((name) => (
          <button key={name} className={tab === name ? "on" : ""} onClick={() => setTab(name)} data-tab={name} role="tab">
            {t(`set.tab.${name}`)}
          </button>
        ))}
      </div>
      <div style={{ maxWidth: 900 }}>
        {tab === "booking" && <BookingForm />}
        {tab === "profile" && <ProfileForm />}
        {tab === "bargeIn" && <BargeInForm />}
      </div>
    </>
  );
}
