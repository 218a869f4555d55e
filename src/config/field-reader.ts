import { UsageError } from "../errors.js";
import { parseDuration, parseRate, parseSize, DURATION_EXAMPLE, SIZE_EXAMPLE } from "./units.js";
import type { FieldPath, YamlDocument } from "./yaml-document.js";

export interface FailOptions {
  /** Default `<area>_INVALID`. */
  code?: string;
  /** How to fix it, printed after the message. */
  hint?: string;
}

/**
 * Reads typed fields out of a YamlDocument. Every failure throws a
 * UsageError of the form `file:line: field: expected X, found Y`, which is
 * what an operator needs to fix a config at 3 a.m.
 */
export class FieldReader {
  readonly document: YamlDocument;
  /** Prefix of error codes: `CONFIG` gives CONFIG_INVALID, CONFIG_MISSING, CONFIG_UNKNOWN_KEY. */
  readonly area: string;

  constructor(document: YamlDocument, area = "CONFIG") {
    this.document = document;
    this.area = area;
  }

  fail(path: FieldPath, expected: string, found?: unknown, options: FailOptions = {}): never {
    const where = `${this.document.file}:${this.document.line(path)}`;
    const what = found === undefined ? "" : `, found ${describe(found)}`;
    const code = options.code ?? `${this.area}_INVALID`;
    throw new UsageError(code, `${where}: ${fieldName(path)}: expected ${expected}${what}`, {
      hint: options.hint,
    });
  }

  /** The value at `path`, or undefined when absent. */
  get(path: FieldPath): unknown {
    let value: unknown = this.document.value;
    for (const segment of path) {
      if (value === null || typeof value !== "object") return undefined;
      value = (value as Record<string | number, unknown>)[segment];
    }
    return value;
  }

  /** A mapping whose keys must all be in `allowed`; absent means `{}`. */
  object(path: FieldPath, allowed?: readonly string[]): Record<string, unknown> {
    const value = this.get(path);
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) this.fail(path, "a mapping", value);
    const record = value as Record<string, unknown>;
    if (allowed) this.#rejectUnknownKeys(path, record, allowed);
    return record;
  }

  required(path: FieldPath, expected: string): unknown {
    const value = this.get(path);
    if (value === undefined || value === null) {
      const where = `${this.document.file}:${this.document.line(path)}`;
      throw new UsageError(
        `${this.area}_MISSING`,
        `${where}: ${fieldName(path)}: missing; expected ${expected}`,
      );
    }
    return value;
  }

  string(path: FieldPath, fallback?: string): string {
    const value = fallback === undefined ? this.required(path, "a string") : this.get(path);
    if (value === undefined || value === null) return fallback as string;
    if (typeof value !== "string" || value === "") this.fail(path, "a non-empty string", value);
    return value;
  }

  optionalString(path: FieldPath): string | undefined {
    const value = this.get(path);
    return value === undefined || value === null ? undefined : this.string(path);
  }

  boolean(path: FieldPath, fallback: boolean): boolean {
    const value = this.get(path);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") this.fail(path, "true or false", value);
    return value;
  }

  integer(path: FieldPath, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.get(path);
    if (value === undefined || value === null) return fallback;
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      this.fail(path, `a whole number from ${min} to ${max}`, value);
    }
    return value as number;
  }

  oneOf<T extends string>(path: FieldPath, choices: readonly T[], fallback: T): T {
    const value = this.get(path);
    if (value === undefined || value === null) return fallback;
    if (!choices.includes(value as T)) this.fail(path, `one of ${choices.join(", ")}`, value);
    return value as T;
  }

  size(path: FieldPath): number | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) return undefined;
    const bytes = parseSize(value);
    if (bytes === undefined) this.fail(path, SIZE_EXAMPLE, value);
    return bytes;
  }

  rate(path: FieldPath): number | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) return undefined;
    const bytes = parseRate(value);
    if (bytes === undefined || bytes === 0) this.fail(path, "a rate such as 80MiB/s", value);
    return bytes;
  }

  duration(path: FieldPath): number | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) return undefined;
    const millis = parseDuration(value);
    if (millis === undefined) this.fail(path, DURATION_EXAMPLE, value);
    return millis;
  }

  /** A list of strings; a single string is accepted as a list of one. */
  stringList(path: FieldPath): string[] {
    const value = this.get(path);
    if (value === undefined || value === null) return [];
    const list = typeof value === "string" ? [value] : value;
    if (!Array.isArray(list)) this.fail(path, "a list of strings", value);
    list.forEach((item, index) => {
      if (typeof item !== "string" || item === "") {
        this.fail([...path, index], "a non-empty string", item);
      }
    });
    return list as string[];
  }

  #rejectUnknownKeys(path: FieldPath, record: Record<string, unknown>, allowed: readonly string[]) {
    for (const key of Object.keys(record)) {
      if (allowed.includes(key)) continue;
      const where = `${this.document.file}:${this.document.line([...path, key])}`;
      const guess = closest(key, allowed);
      const suggestion = guess ? ` (did you mean "${guess}"?)` : "";
      const scope = path.length === 0 ? "at the top level" : `in ${fieldName(path)}`;
      throw new UsageError(
        `${this.area}_UNKNOWN_KEY`,
        `${where}: unknown key "${key}" ${scope}${suggestion}; expected one of ${allowed.join(", ")}`,
      );
    }
  }
}

export function fieldName(path: FieldPath): string {
  if (path.length === 0) return "(document)";
  return path
    .map((segment, i) =>
      typeof segment === "number" ? `[${segment}]` : i ? `.${segment}` : segment,
    )
    .join("");
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

/** The allowed key nearest to a typo, if it is close enough to be a guess. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
