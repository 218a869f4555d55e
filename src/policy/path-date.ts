/**
 * Dates read from paths, for trees whose mtimes mean nothing (copied,
 * restored, touched by a migration). A pattern such as
 * `radar/*\/{yyyy}/{mm}/{dd}/` names where the date sits; `*` is any text
 * within a path part, `**` any number of parts, `?` one character.
 * A pattern ending in `/` names folders: any file below them matches.
 *
 * A date stands for the END of the period it names, in UTC: the folder
 * `2019/06/30/` is dated 2019-07-01 00:00, `2019/06/` is dated 2019-07-01
 * too. So a file is never older by its path than by its true mtime, and
 * none leaves before its whole period has aged.
 */

export type DateToken = "yyyy" | "mm" | "dd" | "hh";

const TOKEN_DIGITS: Record<DateToken, number> = { yyyy: 4, mm: 2, dd: 2, hh: 2 };
/** Each token needs the one before it to make a date: no day without a month. */
const NEEDS: Record<DateToken, DateToken | undefined> = {
  yyyy: undefined,
  mm: "yyyy",
  dd: "mm",
  hh: "dd",
};
const PIECE = /\{([^{}]*)\}|\*\*|\*|\?|[^{}*?]+|[{}]/g;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export interface PathDate {
  readonly pattern: string;
  readonly tokens: readonly DateToken[];
  /**
   * The end of the period the path names (ms since the epoch), or a
   * sentence saying why the path has no date.
   */
  dateOf(path: string): number | string;
  /** The same for a file `name` in folder `dir` ("" for the root); fast for the walk. */
  dateIn(dir: string, name: string): number | string;
}

/** Why a pattern cannot name a date, or undefined when it can. */
export function pathDateProblem(pattern: string): string | undefined {
  const tokens: DateToken[] = [];
  for (const [piece, name] of pattern.matchAll(PIECE)) {
    if (piece === "{" || piece === "}") return `a pattern with balanced braces (stray ${piece})`;
    if (name === undefined) continue;
    if (!(name in TOKEN_DIGITS)) return `date parts {yyyy}, {mm}, {dd}, {hh} (not {${name}})`;
    if (tokens.includes(name as DateToken)) return `each date part once ({${name}} twice)`;
    tokens.push(name as DateToken);
  }
  if (pattern.startsWith("/")) return "a pattern relative to the root, without a leading /";
  for (const token of tokens) {
    const needed = NEEDS[token];
    if (needed && !tokens.includes(needed)) {
      return `a pattern that makes a date: {${token}} without {${needed}} is no date`;
    }
  }
  if (tokens.length === 0) return "a pattern with at least {yyyy}";
  return undefined;
}

/** Compiles a pattern that pathDateProblem accepted. */
export function compilePathDate(pattern: string): PathDate {
  const tokens: DateToken[] = [];
  const source = pattern
    .split("/")
    .map((segment, index, all) => segmentSource(segment, index === all.length - 1, tokens))
    .join("");
  const regex = new RegExp(pattern.endsWith("/") ? `^${source}` : `^${source}$`);
  const dateOf = (path: string) => dateFromMatch(regex.exec(path), tokens, pattern);
  const inFolder = pattern.endsWith("/") ? byFolder(dateOf) : undefined;
  return {
    pattern,
    tokens,
    dateOf,
    dateIn: (dir, name) => inFolder?.(dir) ?? dateOf(dir === "" ? name : `${dir}/${name}`),
  };
}

/**
 * A pattern of folders dates every file of a folder alike, and the walk
 * gives a folder's files one after another: remember the last folder.
 */
function byFolder(dateOf: (path: string) => number | string): (dir: string) => number | string {
  let folder: string | undefined;
  let date: number | string = "";
  return (dir) => {
    if (dir !== folder) {
      folder = dir;
      date = dateOf(dir === "" ? "" : `${dir}/`);
    }
    return date;
  };
}

function segmentSource(segment: string, last: boolean, tokens: DateToken[]): string {
  const slash = last ? "" : "/";
  if (segment === "**") return last ? ".*" : "(?:[^/]*/)*";
  let source = "";
  for (const [piece, name] of segment.matchAll(PIECE)) {
    if (name !== undefined) {
      tokens.push(name as DateToken);
      source += `(\\d{${TOKEN_DIGITS[name as DateToken]}})`;
    } else if (piece === "*" || piece === "**") {
      source += "[^/]*";
    } else if (piece === "?") {
      source += "[^/]";
    } else {
      source += piece.replace(/[.+^$|()[\]\\]/g, "\\$&");
    }
  }
  return source + slash;
}

function dateFromMatch(
  match: RegExpExecArray | null,
  tokens: readonly DateToken[],
  pattern: string,
): number | string {
  if (!match) return `the path does not match ${pattern}`;
  const parts: Partial<Record<DateToken, number>> = {};
  tokens.forEach((token, i) => (parts[token] = Number(match[i + 1])));
  return periodEnd(parts) ?? `${describeDate(tokens, match)} is not a date`;
}

/** The first moment after the period, or undefined for a day that does not exist. */
function periodEnd(parts: Partial<Record<DateToken, number>>): number | undefined {
  const { yyyy: year, mm: month, dd: day, hh: hour } = parts as Record<DateToken, number>;
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > daysInMonth(year, month))) return undefined;
  if (hour !== undefined && hour > 23) return undefined;
  const end = new Date(0);
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as written; day 32 rolls over.
  if (month === undefined) end.setUTCFullYear(year + 1, 0, 1);
  else if (day === undefined) end.setUTCFullYear(year, month, 1);
  else end.setUTCFullYear(year, month - 1, hour === undefined ? day + 1 : day);
  if (hour !== undefined) end.setUTCHours(hour + 1);
  return end.getTime();
}

export function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

function describeDate(tokens: readonly DateToken[], match: RegExpExecArray): string {
  const order: DateToken[] = ["yyyy", "mm", "dd", "hh"];
  const text = order
    .filter((token) => tokens.includes(token))
    .map((token) => match[tokens.indexOf(token) + 1])
    .join("-");
  return tokens.includes("hh") ? text.replace(/-(\d\d)$/, " $1h") : text;
}
