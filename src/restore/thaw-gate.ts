import type { Catalog, CatalogEntry } from "../catalog/catalog.js";
import type { RestoreConfig } from "../config/config.js";
import { GivreError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { ReadAccess } from "../storage/read-access.js";

/**
 * Thaws cold objects before they are read. A thaw is asked for once
 * (RestoreObject with the configured days and tier); the rows of the
 * files it holds become `restoring`, so `restore --status` can list them
 * and a later `givre restore` of the same selection picks them up.
 */
export class ThawGate {
  readonly #access: ReadAccess;
  readonly #catalog: Catalog;
  readonly #settings: RestoreConfig;
  readonly #log: Logger;
  /** Objects a thaw was asked for by this process. */
  requested = 0;

  constructor(access: ReadAccess, catalog: Catalog, settings: RestoreConfig, log: Logger) {
    this.#access = access;
    this.#catalog = catalog;
    this.#settings = settings;
    this.#log = log;
  }

  /**
   * "ready" when the object can be read now; otherwise a thaw is under way
   * (asked for now if needed) and the entries' rows are `restoring`.
   * `refused`: a GET was just refused as cold, so the state is known.
   */
  async ensureThawed(
    entries: readonly CatalogEntry[],
    refused = false,
  ): Promise<"ready" | "thawing"> {
    const { target, bucket, key } = entries[0]!;
    const thaw = this.#access.thaw(target, bucket);
    const state = refused ? { phase: "frozen" as const } : await thaw.state(key);
    if (state.phase === "ready") return "ready";
    if (state.phase === "missing") {
      throw new GivreError("RESTORE_OBJECT_MISSING", 1, `object ${key} is not in bucket ${bucket}`);
    }
    if (state.phase === "frozen") {
      const { thawDays, thawTier } = this.#settings;
      await thaw.requestThaw(key, thawDays, thawTier);
      this.requested++;
      this.#log.info({ key, days: thawDays, tier: thawTier }, "thaw requested");
    }
    const rows = entries.filter((entry) => entry.state !== "restoring");
    if (rows.length > 0) {
      await this.#catalog.updateMany(
        rows.map((entry) => ({ root: entry.root, path: entry.path, state: "restoring" })),
      );
      rows.forEach((entry) => (entry.state = "restoring"));
    }
    return "thawing";
  }

  /** --dry-run: what a real restore would thaw. */
  wouldThaw(entries: readonly CatalogEntry[]): void {
    this.#log.info({ key: entries[0]!.key, files: entries.length }, "would request a thaw");
  }
}
