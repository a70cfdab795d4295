// The barge-in policy: when the caller's speech cuts the agent off.
import { useEffect, useState, type FormEvent } from "react";
import { ErrorNotice, Loading } from "../../components/ui/Feedback";
import { Field } from "../../components/ui/Field";
import { useI18n } from "../../lib/i18n";
import type { MessageKey } from "../../lib/i18n/he";
import type { BargeInPolicy } from "../../lib/types";
import { useLoad } from "../../lib/useLoad";
import { getBargeIn, saveBargeIn } from "./api";
import { SaveBar } from "./SaveBar";
import { useSave } from "./useSave";

const NUMBERS = ["min_speech_ms", "guard_ms", "cooldown_ms", "echo_window_ms"] as const;

export function BargeInForm() {
  const { t } = useI18n();
  const { data, error, reload } = useLoad(getBargeIn, []);
  const [form, setForm] = useState<BargeInPolicy | null>(null);
  const { busy, saved, error: saveError, fields, save } = useSave();
  useEffect(() => setForm(data), [data]);
  if (error) return <ErrorNotice error={error} onRetry={reload} />;
  if (!form) return <Loading />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form && (await save(() => saveBargeIn(form)))) reload();
  }

  return (
    <form className="card" onSubmit={submit} data-testid="barge-in-form">
      <div className="card-head"><div><h2>{t("set.bargeIn")}</h2><div className="desc">{t("set.bargeInDesc")}</div></div></div>
      <div className="card-body stack">
        <div className="grid-2">
          {NUMBERS.map((key) => (
            <Field key={key} label={t(`set.${key}` as MessageKey)} error={fields[key]} name={key}>
              <input className={`input${fields[key] ? " invalid" : ""}`} type="number" value={form[key]}
                onChange={(e) => setForm({ ...form, [key]: e.target.value === "" ? 0 : Number(e.target.value) })} />
            </Field>
          ))}
        </div>
        <Field label={`${t("set.sensitivity")}: ${form.sensitivity.toFixed(2)}`} error={fields.sensitivity} name="sensitivity">
          <input type="range" min={0} max={1} step={0.05} value={form.sensitivity} style={{ accentColor: "var(--primary)" }}
            onChange={(e) => setForm({ ...form, sensitivity: Number(e.target.value) })} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={form.is_greeting_interruptible}
            onChange={(e) => setForm({ ...form, is_greeting_interruptible: e.target.checked })} />
          {t("set.is_greeting_interruptible")}
        </label>
      </div>
      <SaveBar busy={busy} saved={saved} error={saveError} shownFields={Object.keys(fields).length > 0} />
    </form>
  );
}
