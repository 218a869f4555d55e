import picomatch from "picomatch";
import type { Catalog, CatalogEntry, EntrySelection, FileState } from "../catalog/catalog.js";
import type { GivreConfig } from "../config/config.js";
import { parseCatalogPath } from "../cli/catalog-path.js";

/**
 * States whose bytes a restore can fetch. `uploading` has no proven
 * object yet; `stored` belongs to a run that is still finishing it.
 */
export const RESTORABLE: readonly FileState[] = ["archived", "copied", "restoring", "restored"];

const GLOB_CHARS = /[*?[\]{}!]/;

/** One argument of `givre restore`, as catalog queries plus an exact test. */
interface PathSelector {
  root: string;
  /** Every candidate path starts with this ("" for the whole root). */
  prefix: string;
  /** Set for one file named exactly. */
  exact?: string;
  /** Set for a glob: the whole relative path must match it. */
  glob?: (path: string) => boolean;
}

export interface RestoreFilter {
  policy?: string;
  mtimeFrom?: number;
  mtimeUntil?: number;
}

/**
 * What `givre restore <path|glob>... [--policy] [--since] [--until]`
 * selects. `queries` drive the catalog (one range scan per argument);
 * `matches` is the same selection as a predicate, used to pick the
 * selected members of a pack when the pack is read.
 */
export class RestoreSelection {
  readonly #selectors: PathSelector[];
  readonly #filter: RestoreFilter;

  private constructor(selectors: PathSelector[], filter: RestoreFilter) {
    this.#selectors = selectors;
    this.#filter = filter;
  }

  static async parse(
    config: GivreConfig,
    catalog: Catalog,
    inputs: readonly string[],
    filter: RestoreFilter,
  ): Promise<RestoreSelection> {
    const selectors: PathSelector[] = [];
    for (const input of inputs) selectors.push(await selectorOf(config, catalog, input));
    return new RestoreSelection(selectors, filter);
  }

  /** The roots the arguments name, in order, without repeats. */
  get roots(): string[] {
    return [...new Set(this.#selectors.map((selector) => selector.root))];
  }

  matches(entry: CatalogEntry): boolean {
    if (!RESTORABLE.includes(entry.state)) return false;
    const { policy, mtimeFrom, mtimeUntil } = this.#filter;
    if (policy !== undefined && entry.policy !== policy) return false;
    if (mtimeFrom !== undefined && entry.mtimeMs < mtimeFrom) return false;
    if (mtimeUntil !== undefined && entry.mtimeMs > mtimeUntil) return false;
    return this.#selectors.some((selector) => selects(selector, entry));
  }

  /** Every selected entry once, argument by argument. */
  async *entries(catalog: Catalog): AsyncIterable<CatalogEntry> {
    const seen = this.#selectors.length > 1 ? new Set<string>() : undefined;
    for (const selector of this.#selectors) {
      for await (const entry of catalog.select(this.#query(selector))) {
        if (!this.matches(entry) || !selects(selector, entry)) continue;
        const id = `${entry.root}\0${entry.path}`;
        if (seen?.has(id)) continue;
        seen?.add(id);
        yield entry;
      }
    }
  }

  #query(selector: PathSelector): EntrySelection {
    const query: EntrySelection = { root: selector.root, states: RESTORABLE, ...this.#filter };
    if (selector.prefix) query.pathPrefix = selector.prefix;
    return query;
  }
}

function selects(selector: PathSelector, entry: CatalogEntry): boolean {
  if (entry.root !== selector.root) return false;
  if (selector.exact !== undefined) return entry.path === selector.exact;
  if (!entry.path.startsWith(selector.prefix)) return false;
  return selector.glob ? selector.glob(entry.path) : true;
}

async function selectorOf(
  config: GivreConfig,
  catalog: Catalog,
  input: string,
): Promise<PathSelector> {
  const { root, path } = parseCatalogPath(config, input);
  const segments = path.split("/");
  const firstGlob = segments.findIndex((segment) => GLOB_CHARS.test(segment));
  if (firstGlob >= 0) {
    const prefix = segments.slice(0, firstGlob).join("/");
    const glob = picomatch(path, { dot: true });
    return { root, prefix: prefix ? `${prefix}/` : "", glob };
  }
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed && (await catalog.get(root, trimmed))) {
    return { root, prefix: trimmed, exact: trimmed };
  }
  return { root, prefix: trimmed ? `${trimmed}/` : "" };
}
