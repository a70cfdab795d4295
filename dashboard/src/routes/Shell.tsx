// The logged-in layout: sidebar navigation, the business's name, language toggle, logout.
import type { ReactNode } from "react";
import { Icon, type IconName } from "../components/ui/Icon";
import { useI18n } from "../lib/i18n";
import type { MessageKey } from "../lib/i18n/he";
import { href } from "../lib/router";
import { useMe, useSession } from "../lib/session";

const NAV: { section: string; label: MessageKey; icon: IconName }[] = [
  { section: "calendar", label: "nav.calendar", icon: "calendar" },
  { section: "leads", label: "nav.leads", icon: "users" },
  { section: "calls", label: "nav.calls", icon: "phone" },
  { section: "test-call", label: "nav.testCall", icon: "mic" },
  { section: "settings", label: "nav.settings", icon: "settings" },
];

export function Shell({ section, children }: { section: string; children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const { logout } = useSession();
  const me = useMe();
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="main">
        <div className="brand">
          <div className="brand-mark">A</div>
          <div>
            <div className="brand-name">{me.business.name}</div>
            <div className="brand-sub">{t("app.name")}</div>
          </div>
        </div>
        {NAV.map((item) => (
          <a key={item.section} href={href(item.section)} data-nav={item.section}
            className={`nav-link${section === item.section ? " active" : ""}`}>
            <Icon name={item.icon} />
            {t(item.label)}
          </a>
        ))}
        <div className="sidebar-foot">
          <div className="sidebar-user">{me.user.email}</div>
          <div className="sidebar-actions">
            <button className="btn btn-sm" onClick={() => setLang(lang === "he" ? "en" : "he")} data-testid="lang-toggle">
              <Icon name="globe" size={15} /> {t("nav.language")}
            </button>
            <button className="btn btn-sm" onClick={() => void logout()}>
              <Icon name="logout" size={15} /> {t("nav.logout")}
            </button>
          </div>
        </div>
      </nav>
      <main className="main">{children}</main>
    </div>
  );
}
