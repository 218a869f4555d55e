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

/** Files a policy owns that stay local for now, by reason. */
export interface StayingTally {
  /** A keep glob holds them. */
  kept: number;
  /** Not older than `age.older_than` yet. */
  young: number;
  /** `age.from: path` and the path names no date (or an impossible one). */
  undated: number;
}

/** What the walk met besides candidates; reported by plan and run. */
export interface ScanReport {
  /** Folders read. */
  folders: number;
  /**
   * Regular files looked at: those in folders that some include glob can
   * reach, tested against the policies (only the ones a policy owns are stat'ed).
   */
  filesSeen: number;
  /** Symbolic links met and not followed. */
  symlinks: number;
  /** Sockets, FIFOs, devices: skipped. */
  specialFiles: number;
  /**
   * Folders or files that could not be read (absolute path), with the
   * reason; the walk went on. At most MAX_UNREADABLE_LISTED are listed.
   */
  unreadable: { path: string; reason: string }[];
  /** Unreadable paths beyond the listed ones, counted only, so memory stays bounded. */
  unreadableNotListed: number;
  /** Per policy name (of the policies planned): files it owns that stay for now. */
  staying: Record<string, StayingTally>;
}

/** Enough to show the operator what to fix without letting a broken tree fill memory. */
export const MAX_UNREADABLE_LISTED = 1_000;
