// Israeli numbers as people write them (E.164 "+972501234567" -> "050-123-4567"); others as given.
export function formatPhone(e164: string | null | undefined): string {
  if (!e164) return "—";
  const m = /^\+972(\d{8,9})$/.exec(e164);
  if (!m) return e164;
  const national = `0${m[1]}`;
  return national.length === 10
    ? `${national.slice(0, 3)}-${national.slice(3, 6)}-${national.slice(6)}`
    : `${national.slice(0, 2)}-${national.slice(2, 5)}-${national.slice(5)}`;
}
