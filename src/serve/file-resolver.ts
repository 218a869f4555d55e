import type { CatalogEntry } from "../catalog/catalog.js";
import { availabilityOf } from "./availability.js";
import type { ColdGate, ColdVerdict } from "./cold-gate.js";
import type { FileLookup } from "./file-lookup.js";
import { resolveUrlPath, type PathRefusal, type PrefixTable } from "./url-path.js";

/** What a URL path means for serving. */
export type Resolution =
  | { kind: "refused"; reason: PathRefusal }
  /** Outside the prefixes, not in the catalog, or in a state whose file is still local. */
  | { kind: "absent" }
  | { kind: "servable"; entry: CatalogEntry }
  | { kind: "cold"; entry: CatalogEntry; verdict: Exclude<ColdVerdict, { readable: true }> };

const ABSENT: Resolution = { kind: "absent" };

/**
 * From URL path to answer: confinement to the prefixes, catalog lookup,
 * state, cold check. `resolveNow` answers without waiting whenever the
 * cache or a synchronous catalog can (the common case); `resolve` always
 * can.
 */
export class FileResolver {
  readonly #prefixes: PrefixTable;
  readonly #lookup: FileLookup;
  readonly #cold: ColdGate;

  constructor(prefixes: PrefixTable, lookup: FileLookup, cold: ColdGate) {
    this.#prefixes = prefixes;
    this.#lookup = lookup;
    this.#cold = cold;
  }

  /** The resolution, or undefined when it needs the async catalog or a cold check. */
  resolveNow(rawPath: string): Resolution | undefined {
    const target = resolveUrlPath(rawPath, this.#prefixes);
    if (target.kind === "refused") return target;
    if (target.kind === "outside") return ABSENT;
    const entry = this.#lookup.findNow(target.root, target.path);
    if (entry === undefined) return undefined;
    return this.#judgeNow(entry);
  }

  async resolve(rawPath: string): Promise<Resolution> {
    const target = resolveUrlPath(rawPath, this.#prefixes);
    if (target.kind === "refused") return target;
    if (target.kind === "outside") return ABSENT;
    const entry = await this.#lookup.find(target.root, target.path);
    return this.#judgeNow(entry) ?? this.#judgeCold(entry!);
  }

  /** Catalog entry (null: unknown) to a resolution; undefined for a cold one. */
  #judgeNow(entry: CatalogEntry | null): Resolution | undefined {
    switch (availabilityOf(entry, this.#cold.coldClasses)) {
      case "absent":
        return ABSENT;
      case "servable":
        return { kind: "servable", entry: entry! };
      case "cold":
        return undefined;
    }
  }

  async #judgeCold(entry: CatalogEntry): Promise<Resolution> {
    const verdict = await this.#cold.verdict(entry);
    if (verdict.readable) return { kind: "servable", entry };
    return { kind: "cold", entry, verdict };
  }
}
