import { UsageError } from "../errors.js";

/**
 * `--since` and `--until` as an admin types them. A date names a whole
 * period and both ends are inclusive: `--since 2019-06 --until 2019-06`
 * is all of June 2019 (UTC). Accepted: YYYY, YYYY-MM, YYYY-MM-DD, and a
 * full ISO 8601 time (then exactly that instant).
 */
export function periodOf(text: string, flag: string): { start: number; end: number } {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text);
  if (match) return calendarPeriod(Number(match[1]), match[2], match[3], text, flag);
  const instant = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(instant)) throw badDate(text, flag);
  return { start: instant, end: instant };
}

function calendarPeriod(
  year: number,
  month: string | undefined,
  day: string | undefined,
  text: string,
  flag: string,
): { start: number; end: number } {
  const m = month === undefined ? undefined : Number(month) - 1;
  const d = day === undefined ? undefined : Number(day);
  const start = Date.UTC(year, m ?? 0, d ?? 1);
  const next = Date.UTC(
    year + (m === undefined ? 1 : 0),
    (m ?? 0) + (m !== undefined && d === undefined ? 1 : 0),
    (d ?? 1) + (d === undefined ? 0 : 1),
  );
  const check = new Date(start);
  if (
    (m !== undefined && check.getUTCMonth() !== m) ||
    (d !== undefined && check.getUTCDate() !== d)
  ) {
    throw badDate(text, flag);
  }
  return { start, end: justBefore(next) };
}

/** The largest double below a positive `value`: the period's inclusive end, to the last fraction of a ms. */
function justBefore(value: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

function badDate(text: string, flag: string): UsageError {
  return new UsageError(
    "RESTORE_BAD_DATE",
    `${flag} ${JSON.stringify(text)} is not a date; expected YYYY, YYYY-MM, YYYY-MM-DD or an ISO 8601 time`,
  );
}

/** The mtime bounds of `--since A --until B`. */
export function mtimeBounds(
  since: string | undefined,
  until: string | undefined,
): { mtimeFrom?: number; mtimeUntil?: number } {
  const bounds: { mtimeFrom?: number; mtimeUntil?: number } = {};
  if (since !== undefined) bounds.mtimeFrom = periodOf(since, "--since").start;
  if (until !== undefined) bounds.mtimeUntil = periodOf(until, "--until").end;
  if (bounds.mtimeFrom !== undefined && bounds.mtimeUntil !== undefined) {
    if (bounds.mtimeFrom > bounds.mtimeUntil) {
      throw new UsageError("RESTORE_BAD_DATE", `--since ${since} is after --until ${until}`);
    }
  }
  return bounds;
}
