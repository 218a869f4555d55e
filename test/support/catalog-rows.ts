import { join } from "node:path";
import type { CatalogEntry } from "../../src/catalog/catalog.js";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import type { Workspace } from "./givre-process.js";

/** A row as the run would leave an archived file; tests override what they need. */
export function archivedRow(
  fields: Partial<CatalogEntry> & Pick<CatalogEntry, "path">,
): CatalogEntry {
  return {
    root: "data",
    state: "archived",
    size: 0,
    mtimeMs: Date.UTC(2019, 5, 10),
    mode: 0o644,
    sha256: null,
    target: "archive",
    bucket: "",
    key: `data/${fields.path}`,
    offset: null,
    length: null,
    etag: null,
    storageClass: "STANDARD",
    policy: "everything",
    runId: "20190610T000000Z-test",
    manifestKey: null,
    updatedAt: Date.UTC(2019, 5, 10),
    ...fields,
  };
}

/** Inserts rows into a workspace's catalog (made if missing). */
export async function insertRows(workspace: Workspace, rows: CatalogEntry[]): Promise<void> {
  const catalog = new SqliteCatalog(join(workspace.stateDir, "catalog.db"));
  try {
    await catalog.putMany(rows);
  } finally {
    await catalog.close();
  }
}

export async function catalogRows(workspace: Workspace): Promise<CatalogEntry[]> {
  const catalog = new SqliteCatalog(join(workspace.stateDir, "catalog.db"));
  const rows: CatalogEntry[] = [];
  try {
    for await (const row of catalog.select({})) rows.push(row);
  } finally {
    await catalog.close();
  }
  return rows;
}
