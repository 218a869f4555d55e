import type { Policy } from "../policy/policy.js";

/** A file the planner picked: its policy says it has aged and should go. */
export interface Candidate {
  /** Root name (a key of config.roots). */
  root: string;
  /** Relative to the root, `/`-separated, no leading slash. */
  path: string;
  absolutePath: string;
  size: number;
  /** As lstat saw it at scan time; the run re-checks it before freeing disk. */
  mtimeMs: number;
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
  policy: Policy;
  /**
   * The date its age was measured from: the mtime, or with `age.from: path`
   * the end of the period its path names.
   */
  dateMs: number;
}

/** What the walk met besides candidates; reported by plan and run. */
export interface ScanReport {
  /** Regular files looked at (matched by some include glob and stat'ed). */
  filesSeen: number;
  /** Symbolic links met and not followed. */
  symlinks: number;
  /** Sockets, FIFOs, devices: skipped. */
  specialFiles: number;
  /** Folders or files that could not be read, with the reason; the walk went on. */
  unreadable: { path: string; reason: string }[];
}
