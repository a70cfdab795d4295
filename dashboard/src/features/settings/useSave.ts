// The save cycle of a settings form: busy flag, "saved" confirmation, and the 422 field errors
// (by dotted field name) to show next to their inputs.
import { useState } from "react";
import { fieldErrors } from "../../lib/http";

export function useSave() {
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function save(action: () => Promise<unknown>) {
    setBusy(true);
    setSaved(false);
    setError(null);
    try {
      await action();
      setSaved(true);
      return true;
    } catch (err) {
      setError(err);
      // Bring the first field the server named into view, once it has rendered.
      requestAnimationFrame(() => document.querySelector(".field-error")?.scrollIntoView({ block: "center" }));
      return false;
    } finally {
      setBusy(false);
    }
  }
  const fields = fieldErrors(error);
  return { busy, saved, error, fields, save };
}

/** The errors of one field and everything under it (`weekly_hours.sun` covers `weekly_hours.sun.0`). */
export function errorsUnder(fields: Record<string, string>, prefix: string): string | undefined {
  const hits = Object.entries(fields).filter(([key]) => key === prefix || key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[`));
  return hits.length ? hits.map(([, msg]) => msg).join("; ") : undefined;
}
