import type { CatalogEntry } from "../catalog/catalog.js";
import type { GivreConfig } from "../config/config.js";
import type { ReadAccess } from "../storage/read-access.js";
import type { Destinations } from "./destination.js";
import type { FileWriterPool } from "./file-writer-pool.js";
import type { RestoreCounts } from "./restore-report.js";
import type { ThawGate } from "./thaw-gate.js";

export interface RestoreOptions {
  /** Restore under this folder instead of each file's root; same layout. */
  to?: string;
  /** Say what would happen; write nothing, thaw nothing, change no row. */
  dryRun?: boolean;
  /** Replace a local file that differs from the archive. */
  force?: boolean;
  /** Wait for cold objects to thaw, polling, instead of leaving them for a later run. */
  wait?: boolean;
  /** Poll interval for --wait, ms; default the config's restore.poll_interval. */
  pollIntervalMs?: number;
  signal?: AbortSignal;
  /** Called after every file, for a progress display. */
  onProgress?: (counts: Readonly<RestoreCounts>) => void;
}

/** What one object's restore (restore/object-job.ts) reports to and draws on. */
export interface RestoreContext {
  config: GivreConfig;
  options: RestoreOptions;
  access: ReadAccess;
  destinations: Destinations;
  thaws: ThawGate;
  /** Where whole small files are written, off the main thread. */
  writers: FileWriterPool;
  counts: RestoreCounts;
  restored(entry: CatalogEntry, file: string, mtimeMs: number | undefined): void;
  unchanged(entry: CatalogEntry, file: string, mtimeMs: number): void;
  conflict(entry: CatalogEntry, reason: string): void;
  failed(entry: CatalogEntry, reason: string): void;
}
