import { lstatSync } from "node:fs";

/** What lstat said about each path of a batch, as flat numbers that cross threads for free. */
export interface StatBatch {
  /** STAT_FIELDS numbers per name: kind, size, mtimeMs, mode, uid, gid. */
  values: Float64Array;
  /** Paths lstat failed on (other than "no such file"), by index, with the error. */
  failures: StatFailure[];
}

export interface StatFailure {
  index: number;
  code: string | undefined;
  message: string;
}

export const STAT_FIELDS = 6;

/** The first field of a name's record: what lstat found. */
export const Kind = {
  missing: 0,
  file: 1,
  folder: 2,
  symlink: 3,
  special: 4,
  failed: 5,
} as const;

/** lstat of each path, in this thread. */
export function statHere(paths: readonly string[]): StatBatch {
  return statPaths(lstatSync, paths);
}

/**
 * The work itself. It refers to nothing outside its body, because the
 * stat thread runs its source text; the numbers are Kind's and STAT_FIELDS.
 */
export function statPaths(lstat: typeof lstatSync, paths: readonly string[]): StatBatch {
  const fields = 6;
  const values = new Float64Array(paths.length * fields);
  const failures: StatFailure[] = [];
  for (let i = 0; i < paths.length; i++) {
    const at = i * fields;
    try {
      const stats = lstat(paths[i]!, { throwIfNoEntry: false });
      if (stats === undefined) continue; // missing: 0
      if (stats.isFile()) values[at] = 1;
      else if (stats.isDirectory()) values[at] = 2;
      else if (stats.isSymbolicLink()) values[at] = 3;
      else values[at] = 4;
      values[at + 1] = stats.size;
      values[at + 2] = stats.mtimeMs;
      values[at + 3] = stats.mode;
      values[at + 4] = stats.uid;
      values[at + 5] = stats.gid;
    } catch (error) {
      values[at] = 5;
      const { code, message } = error as NodeJS.ErrnoException;
      failures.push({ index: i, code, message });
    }
  }
  return { values, failures };
}
