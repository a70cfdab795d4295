// A labelled form control with its hint and, in place, the API's error for that field.
import type { ReactNode } from "react";

interface Props {
  label: ReactNode;
  error?: string | undefined;
  hint?: ReactNode;
  children: ReactNode;
  name?: string;
}

export function Field({ label, error, hint, children, name }: Props) {
  return (
    <div className="field" data-field={name}>
      <label>{label}</label>
      {children}
      {error ? <div className="field-error" role="alert">{error}</div> : hint ? <div className="hint">{hint}</div> : null}
    </div>
  );
}
