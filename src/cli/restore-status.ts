import type { Catalog, CatalogEntry } from "../catalog/catalog.js";
import type { GivreConfig } from "../config/config.js";
import { RestoreSelection } from "../restore/selection.js";
import type { ReadAccess } from "../storage/read-access.js";
import type { ThawState } from "../storage/thaw.js";

/**
 * `givre restore --status`: every file whose object is thawing (`thawing`,
 * or `ready` to be read until its expiry, or `expired` when the thawed
 * copy is gone before the restore was run again), then every restored
 * file (`done`). One HEAD per thawing object; nothing changes.
 */
export async function printThawStatus(
  catalog: Catalog,
  access: ReadAccess,
  paths: readonly string[],
  config: GivreConfig,
  out: NodeJS.WritableStream,
): Promise<void> {
  const rows = await statusRows(catalog, paths, config);
  const states = new Map<string, ThawState>();
  let lines = 0;
  for (const row of rows.filter((entry) => entry.state === "restoring")) {
    const id = `${row.target}\0${row.bucket}\0${row.key}`;
    let state = states.get(id);
    if (!state) {
      state = await access.thaw(row.target, row.bucket).state(row.key);
      states.set(id, state);
    }
    out.write(`${describe(state).padEnd(40)} ${row.root}/${row.path}\n`);
    lines++;
  }
  for (const row of rows.filter((entry) => entry.state === "restored")) {
    out.write(`${"done".padEnd(40)} ${row.root}/${row.path}\n`);
    lines++;
  }
  if (lines === 0) out.write("nothing thawing or restored\n");
}

async function statusRows(
  catalog: Catalog,
  paths: readonly string[],
  config: GivreConfig,
): Promise<CatalogEntry[]> {
  const rows: CatalogEntry[] = [];
  if (paths.length === 0) {
    for await (const row of catalog.select({ states: ["restoring", "restored"] })) rows.push(row);
    return rows;
  }
  const selection = await RestoreSelection.parse(config, catalog, paths, {});
  for await (const row of selection.entries(catalog)) {
    if (row.state === "restoring" || row.state === "restored") rows.push(row);
  }
  return rows;
}

function describe(state: ThawState): string {
  switch (state.phase) {
    case "thawing":
      return "thawing";
    case "ready":
      return `ready until ${state.expiry?.toISOString() ?? "(no expiry given)"}`;
    case "frozen":
      return "expired (run the restore again)";
    case "missing":
      return "missing from the bucket";
  }
}
