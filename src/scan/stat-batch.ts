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

/**
 * lstat of each file (`names[i]` in folder `dirs[i]`), in this thread,
 * from inside each folder by name: the kernel then resolves one path part
 * instead of every part from the root, which measured 15% less CPU for a
 * plan of a million files. The working folder is changed only within
 * this synchronous call and restored before it returns, so no JavaScript
 * ever sees it changed, and the paths givre works with are absolute
 * (roots must be), so no I/O elsewhere depends on it.
 */
export function statHere(dirs: readonly string[], names: readonly string[]): StatBatch {
  const home = workingFolder();
  const values = new Float64Array(names.length * STAT_FIELDS);
  const failures: StatFailure[] = [];
  let dir: string | undefined;
  let inside = false;
  try {
    for (let i = 0; i < names.length; i++) {
      if (dirs[i] !== dir) {
        dir = dirs[i]!;
        inside = home !== undefined && enter(dir);
      }
      const path = inside ? names[i]! : `${dir}/${names[i]}`;
      statInto(lstatSync, path, values, i, failures);
    }
  } finally {
    if (home !== undefined) leave(home);
  }
  return { values, failures };
}

function workingFolder(): string | undefined {
  try {
    return process.cwd();
  } catch {
    return undefined; // deleted under us: stay out of the way, use whole paths
  }
}

function enter(dir: string): boolean {
  try {
    process.chdir(dir);
    return true;
  } catch {
    return false; // not searchable: whole paths, and lstat says why per file
  }
}

function leave(home: string): void {
  try {
    process.chdir(home);
  } catch {
    process.chdir("/"); // never stay inside a root
  }
}

/**
 * lstat of each path, for the stat thread. This function and `statInto`
 * refer to nothing outside their bodies, because the thread runs their
 * source text.
 */
export function statPaths(lstat: typeof lstatSync, paths: readonly string[]): StatBatch {
  const values = new Float64Array(paths.length * 6);
  const failures: StatFailure[] = [];
  for (let i = 0; i < paths.length; i++) statInto(lstat, paths[i]!, values, i, failures);
  return { values, failures };
}

/** Writes record `i` (STAT_FIELDS numbers, the first a Kind) for one path. */
export function statInto(
  lstat: typeof lstatSync,
  path: string,
  values: Float64Array,
  i: number,
  failures: StatFailure[],
): void {
  const at = i * 6;
  try {
    const stats = lstat(path, { throwIfNoEntry: false });
    if (stats === undefined) return; // missing: 0
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
