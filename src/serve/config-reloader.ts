import { watch, type FSWatcher } from "chokidar";
import type { GivreConfig } from "../config/config.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log/logger.js";

/** Edits settle this long before the file is read (editors write in several steps). */
const SETTLE_MS = 200;

export interface ConfigReloaderOptions {
  file: string;
  /** Reads and checks the config; throws a located error when it is wrong. */
  load: () => GivreConfig;
  /** Applies a config that loaded cleanly; returns the settings that need a restart. */
  apply: (config: GivreConfig) => Promise<string[]>;
  log: Logger;
}

/**
 * Picks up config changes without a restart: when the file changes
 * (chokidar, editors' rename-over included) and on SIGHUP. A config that
 * fails to load is logged with its location and the running one stays.
 * The lookup server reads nothing from the policies folder (an entry's
 * storage class and key come from the catalog), so only the config file
 * is watched.
 */
export class ConfigReloader {
  readonly #options: ConfigReloaderOptions;
  readonly #watcher: FSWatcher;
  readonly #onHangup = () => void this.reload("SIGHUP");
  #queue: Promise<void> = Promise.resolve();

  constructor(options: ConfigReloaderOptions) {
    this.#options = options;
    this.#watcher = watch(options.file, {
      ignoreInitial: true,
      awaitWriteFinish: { stabilityThreshold: SETTLE_MS, pollInterval: 50 },
    });
    this.#watcher.on("all", (event) => {
      if (event === "add" || event === "change") void this.reload("file changed");
    });
    process.on("SIGHUP", this.#onHangup);
  }

  /** Resolves once the watcher is watching (tests change the file only after this). */
  ready(): Promise<void> {
    return new Promise((resolve) => this.#watcher.once("ready", () => resolve()));
  }

  /** Reloads now; reloads run one at a time, in order. */
  reload(reason: string): Promise<void> {
    this.#queue = this.#queue.then(() => this.#reloadOnce(reason));
    return this.#queue;
  }

  async close(): Promise<void> {
    process.off("SIGHUP", this.#onHangup);
    await this.#watcher.close();
  }

  async #reloadOnce(reason: string): Promise<void> {
    const { file, load, apply, log } = this.#options;
    let config: GivreConfig;
    try {
      config = load();
    } catch (error) {
      log.error({ file, reason, error: errorMessage(error) }, "config reload refused");
      return;
    }
    try {
      const needsRestart = await apply(config);
      log.info({ file, reason, delivery: config.serve.delivery, needsRestart }, "config reloaded");
    } catch (error) {
      log.error({ file, reason, error: errorMessage(error) }, "config reload failed");
    }
  }
}
