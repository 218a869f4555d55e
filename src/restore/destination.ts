import { mkdir, readdir, realpath, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { CatalogEntry } from "../catalog/catalog.js";
import type { GivreConfig } from "../config/config.js";
import { confinedPath, isInside, UnsafePathError } from "./path-safety.js";
import { TEMP_MARK } from "./restored-file.js";
import { isProcessAlive } from "../process-alive.js";

const STALE_TEMP = new RegExp(`${TEMP_MARK.replace(/\./g, "\\.")}(\\d+)-[0-9a-f]+$`);

/**
 * Where restored files go: under their root, or under `--to DIR` with the
 * same layout relative to the root. Each folder is made once, checked to
 * be really inside its base (a symbolic link inside the tree must not lead
 * a file elsewhere), and swept of temp files that a killed restore left.
 */
export class Destinations {
  readonly #config: GivreConfig;
  readonly #to: string | undefined;
  readonly #folders = new Map<string, Promise<void>>();
  readonly #bases = new Map<string, Promise<string>>();
  /** Names each prepared folder held: a name not there needs no lstat to be known absent. */
  readonly #names = new Map<string, Set<string>>();
  /** Stale temp files removed, for the report. */
  sweptTemps = 0;

  constructor(config: GivreConfig, to: string | undefined) {
    this.#config = config;
    this.#to = to === undefined ? undefined : resolve(to);
  }

  /** True when files go back where they came from (not `--to`): their rows become `restored`. */
  get inPlace(): boolean {
    return this.#to === undefined;
  }

  fileFor(entry: CatalogEntry): string {
    return confinedPath(this.baseFor(entry), entry.path);
  }

  baseFor(entry: CatalogEntry): string {
    if (this.#to !== undefined) return this.#to;
    const root = this.#config.roots[entry.root];
    if (!root) throw new UnsafePathError(entry.path, `root "${entry.root}" is not in the config`);
    return root;
  }

  /** Makes (once) the folder of `file`, confined to its base, and sweeps stale temps from it. */
  prepare(entry: CatalogEntry, file: string): Promise<void> {
    const folder = dirname(file);
    let ready = this.#folders.get(folder);
    if (!ready) {
      ready = this.#prepareFolder(this.baseFor(entry), folder, entry.path);
      this.#folders.set(folder, ready);
    }
    return ready;
  }

  async #prepareFolder(base: string, folder: string, path: string): Promise<void> {
    const realBase = await this.#realBase(base);
    await mkdir(folder, { recursive: true });
    const real = await realpath(folder);
    if (real !== realBase && !isInside(realBase, real)) {
      throw new UnsafePathError(path, `its folder leads to ${real}, outside ${realBase}`);
    }
    await this.#sweep(folder);
  }

  #realBase(base: string): Promise<string> {
    let real = this.#bases.get(base);
    if (!real) {
      real = mkdir(base, { recursive: true }).then(() => realpath(base));
      this.#bases.set(base, real);
    }
    return real;
  }

  /**
   * False when `file` was not in its folder when the folder was prepared.
   * Something may appear there later; the file is then put in place with
   * link(), which refuses to replace it.
   */
  mayExist(file: string): boolean {
    return this.#names.get(dirname(file))?.has(basename(file)) ?? true;
  }

  /** Temp files of restores whose process is gone: a restore killed with -9. */
  async #sweep(folder: string): Promise<void> {
    const names = await readdir(folder);
    this.#names.set(folder, new Set(names));
    for (const name of names) {
      const pid = Number(STALE_TEMP.exec(name)?.[1] ?? NaN);
      if (Number.isNaN(pid) || pid === process.pid || isProcessAlive(pid)) continue;
      await unlink(join(folder, name)).catch(() => {});
      this.sweptTemps++;
    }
  }
}
