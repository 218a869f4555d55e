import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { GivreConfig } from "../config/config.js";
import { UsageError, errorMessage } from "../errors.js";
import type { Catalog } from "./catalog.js";
import { SqliteCatalog } from "./sqlite-catalog.js";

/** The SQLite file a `catalog:` value names: `sqlite` -> `<state_dir>/catalog.db`. */
export function sqlitePath(config: Pick<GivreConfig, "catalog" | "stateDir">): string {
  return config.catalog === "sqlite"
    ? join(config.stateDir, "catalog.db")
    : config.catalog.slice("sqlite:".length);
}

/** Opens (and migrates) the catalog the config names. */
export async function openCatalog(
  config: Pick<GivreConfig, "catalog" | "stateDir" | "file">,
): Promise<Catalog> {
  if (/^postgres(ql)?:/.test(config.catalog)) {
    // The PostgreSQL catalog is not written yet; SQLite is the only one for now.
    throw new UsageError("CATALOG_UNSUPPORTED", "a postgres:// catalog is not supported yet", {
      hint: `use catalog: sqlite in ${config.file}`,
    });
  }
  const file = sqlitePath(config);
  try {
    mkdirSync(dirname(file), { recursive: true });
    return new SqliteCatalog(file);
  } catch (error) {
    throw new UsageError(
      "CATALOG_UNUSABLE",
      `cannot open catalog ${file}: ${errorMessage(error)}`,
      {
        hint: `check state_dir in ${config.file} and that this user may write there`,
        cause: error,
      },
    );
  }
}
