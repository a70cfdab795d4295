// Business profile: name, phone number, type, services, greeting, call goal, voice, zone.
import { useEffect, useState, type FormEvent } from "react";
import { ErrorNotice, Loading } from "../../components/ui/Feedback";
import { Field } from "../../components/ui/Field";
import { useI18n } from "../../lib/i18n";
import type { Business, BusinessUpdate } from "../../lib/types";
import { useLoad } from "../../lib/useLoad";
import { getBusiness, updateBusiness } from "./api";
import { SaveBar } from "./SaveBar";
import { useSave } from "./useSave";

type Editable = Omit<Business, "id">;
const KEYS: (keyof Editable)[] = ["name", "phone", "timezone", "call_goal", "greeting", "business_type", "services", "voice"];

export function ProfileForm() {
  const { t } = useI18n();
  const { data, error, reload } = useLoad(getBusiness, []);
  const [form, setForm] = useState<Editable | null>(null);
  const { busy, saved, error: saveError, fields, save } = useSave();
  useEffect(() => setForm(data), [data]);
  if (error) return <ErrorNotice error={error} onRetry={reload} />;
  if (!form || !data) return <Loading />;

  const changes: BusinessUpdate = {};
  for (const key of KEYS) if (form[key] !== data[key]) Object.assign(changes, { [key]: form[key] });
  const text = (key: keyof Editable) => ({
    name: key,
    value: String(form[key] ?? ""),
    className: `input${fields[key] ? " invalid" : ""}`,
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }),
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await save(() => updateBusiness(changes))) reload();
  }

  return (
    <form className="card" onSubmit={submit} data-testid="profile-form">
      <div className="card-head"><h2>{t("set.tab.profile")}</h2></div>
      <div className="card-body stack">
        <div className="grid-2">
          <Field label={t("set.name")} error={fields.name} name="name"><input {...text("name")} /></Field>
          <Field label={t("set.phone")} error={fields.phone} hint={t("set.phoneHint")} name="phone"><input {...text("phone")} dir="ltr" /></Field>
          <Field label={t("set.businessType")} error={fields.business_type} name="business_type"><input {...text("business_type")} /></Field>
          <Field label={t("set.timezone")} error={fields.timezone} name="timezone"><input {...text("timezone")} dir="ltr" /></Field>
        </div>
        <Field label={t("set.services")} error={fields.services} name="services"><textarea {...text("services")} className={`textarea${fields.services ? " invalid" : ""}`} rows={2} /></Field>
        <Field label={t("set.greeting")} error={fields.greeting} hint={t("set.greetingHint")} name="greeting">
          <textarea {...text("greeting")} className={`textarea${fields.greeting ? " invalid" : ""}`} rows={3} />
        </Field>
        <div className="grid-2">
          <Field label={t("set.callGoal")} error={fields.call_goal} name="call_goal">
            <select className="select" value={form.call_goal} onChange={(e) => setForm({ ...form, call_goal: e.target.value as Business["call_goal"] })}>
              <option value="booking">{t("set.goal.booking")}</option>
              <option value="lead">{t("set.goal.lead")}</option>
            </select>
          </Field>
          <Field label={t("set.voice")} error={fields.voice} name="voice"><input {...text("voice")} dir="ltr" /></Field>
        </div>
      </div>
      <SaveBar busy={busy} saved={saved} error={saveError} shownFields={Object.keys(fields).some((f) => KEYS.includes(f as keyof Editable))} />
    </form>
  );
}
