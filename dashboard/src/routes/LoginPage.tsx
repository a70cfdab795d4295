import { useState, type FormEvent } from "react";
import { errorText } from "../components/ui/Feedback";
import { Field } from "../components/ui/Field";
import { ApiError } from "../lib/http";
import { useI18n } from "../lib/i18n";
import { useSession } from "../lib/session";

export function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const { login } = useSession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      await login(email, password);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t("login.invalid") : errorText(err, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="login-wrap">
      <div className="login-main">
        <form className="login-card" onSubmit={submit} data-testid="login-form">
          <div className="row">
            <div className="brand-mark" style={{ color: "#fff" }}>A</div>
            <strong>{t("app.name")}</strong>
            <span className="spacer" />
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setLang(lang === "he" ? "en" : "he")}>
              {t("nav.language")}
            </button>
          </div>
          <div>
            <h1>{t("login.title")}</h1>
            <p className="muted">{t("login.subtitle")}</p>
          </div>
          {error && <div className="notice error" role="alert">{error}</div>}
          <Field label={t("login.email")}>
            <input className="input" type="email" name="email" autoComplete="username" required dir="ltr"
              value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
          </Field>
          <Field label={t("login.password")}>
            <input className="input" type="password" name="password" autoComplete="current-password" required dir="ltr"
              value={password} onChange={(e) => setPassword(e.target.value)} />
          </Field>
          <button className="btn btn-primary" type="submit" disabled={busy} style={{ height: 42 }}>
            {busy ? <span className="spinner" /> : t("login.submit")}
          </button>
        </form>
      </div>
      <div className="login-side">
        <div className="brand" style={{ padding: 0 }}>
          <div className="brand-mark">A</div>
          <div className="brand-name">{t("app.name")}</div>
        </div>
        <div>
          <h2>{t("login.heroTitle")}</h2>
          <p>{t("login.heroText")}</p>
          <div className="login-points">
            <div>{t("login.point1")}</div>
            <div>{t("login.point2")}</div>
            <div>{t("login.point3")}</div>
          </div>
        </div>
        <div className="faint">© AgentLocator</div>
      </div>
    </div>
  );
}
