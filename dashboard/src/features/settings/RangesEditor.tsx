// Opening ranges of one day ("09:00"-"13:00", "16:00"-"19:00": split shifts), editable.
import { Icon } from "../../components/ui/Icon";
import { useI18n } from "../../lib/i18n";
import type { Ranges } from "../../lib/types";

interface Props {
  ranges: Ranges;
  onChange: (ranges: Ranges) => void;
  error?: string | undefined;
  testId?: string;
}

export function RangesEditor({ ranges, onChange, error, testId }: Props) {
  const { t } = useI18n();
  const set = (i: number, side: 0 | 1, value: string) =>
    onChange(ranges.map((r, j) => (j === i ? (side ? [r[0], value] : [value, r[1]]) : r)));
  const last = ranges[ranges.length - 1];
  const add = () => onChange([...ranges, last ? [last[1], last[1] < "20:00" ? `${String(Number(last[1].slice(0, 2)) + 2).padStart(2, "0")}:00` : "23:00"] : ["09:00", "17:00"]]);
  const addButton = (
    <button type="button" className="btn btn-ghost btn-sm" onClick={add} data-testid="range-add">
      <Icon name="plus" size={14} /> {t("set.addShift")}
    </button>
  );
  return (
    <div className="hours-ranges" data-testid={testId}>
      {!ranges.length && <div className="hours-range"><span className="faint closed-label">{t("set.closedDay")}</span>{addButton}</div>}
      {ranges.map(([from, to], i) => (
        <div className="hours-range" key={i}>
          <input className={`input input-sm num${error ? " invalid" : ""}`} value={from} placeholder="09:00" aria-label="from"
            onChange={(e) => set(i, 0, e.target.value)} data-testid="range-from" />
          <span className="faint">–</span>
          <input className={`input input-sm num${error ? " invalid" : ""}`} value={to} placeholder="17:00" aria-label="to"
            onChange={(e) => set(i, 1, e.target.value)} data-testid="range-to" />
          <button type="button" className="btn btn-ghost btn-sm btn-icon" aria-label={t("common.remove")}
            onClick={() => onChange(ranges.filter((_, j) => j !== i))} data-testid="range-remove">
            <Icon name="x" size={15} />
          </button>
          {i === ranges.length - 1 && addButton}
        </div>
      ))}
      {error && <span className="field-error" role="alert">{error}</span>}
    </div>
  );
}
