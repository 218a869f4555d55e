import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { GivreConfig } from "../config/config.js";
import { GivreError, UsageError, errorMessage } from "../errors.js";
import type { Catalog } from "./catalog.js";
import { postgresLocation } from "./postgres-location.js";
import { SqliteCatalog } from "./sqlite-catalog.js";

/** Where a catalog lives: a SQLite file, or a PostgreSQL database. */
export type CatalogLocation = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

export interface OpenCatalogOptions {
  /**
   * Only read: never create a SQLite file or a PostgreSQL schema, never
   * migrate one; refuse a store with no givre catalog. Default false.
   */
  readonly?: boolean;
  /** What the operator should check when a SQLite file cannot be opened. */
  hint?: string;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** The SQLite file a `catalog:` value names: `sqlite` -> `<state_dir>/catalog.db`. */
export function sqlitePath(config: Pick<GivreConfig, "catalog" | "stateDir">): string {
  return config.catalog === "sqlite"
    ? join(config.stateDir, "catalog.db")
    : config.catalog.slice("sqlite:".length);
}

/**
 * `sqlite:PATH` (relative to the working folder) or a postgres:// or
 * postgresql:// URL; undefined for anything else.
 */
export function parseCatalogLocation(text: string): CatalogLocation | undefined {
  if (POSTGRES_URL.test(text)) return { kind: "postgres", url: text };
  if (text.startsWith("sqlite:") && text.length > "sqlite:".length) {
    return { kind: "sqlite", file: resolve(text.slice("sqlite:".length)) };
  }
  return undefined;
}

/** What `Catalog.describe()` will say once opened: `sqlite FILE` or `postgres user@host/db`. */
export function describeLocation(location: CatalogLocation): string {
  return location.kind === "sqlite"
    ? `sqlite ${location.file}`
    : `postgres ${postgresLocation(location.url)}`;
}

/** Opens (and migrates) the catalog the config names. */
export async function openCatalog(
  config: Pick<GivreConfig, "catalog" | "stateDir" | "file">,
): Promise<Catalog> {
  const location: CatalogLocation = POSTGRES_URL.test(config.catalog)
    ? { kind: "postgres", url: config.catalog }
    : { kind: "sqlite", file: sqlitePath(config) };
  return openCatalogAt(location, {
    hint: `check state_dir in ${config.file} and that this user may write there`,
  });
}

/** Opens the catalog at a location; PostgreSQL's driver is loaded only when one is asked for. */
export async function openCatalogAt(
  location: CatalogLocation,
  options: OpenCatalogOptions = {},
): Promise<Catalog> {
  if (location.kind === "postgres") {
    const { PostgresCatalog } = await import("./postgres-catalog.js");
    return PostgresCatalog.open(location.url, { readonly: options.readonly ?? false });
  }
  return openSqlite(location.file, options);
}

function openSqlite(file: string, options: OpenCatalogOptions): Catalog {
  try {
    if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
    return new SqliteCatalog(file, { readonly: options.readonly ?? false });
  } catch (error) {
    if (error instanceof GivreError) throw error;
    throw new UsageError(
      "CATALOG_UNUSABLE",
      `cannot open catalog ${file}: ${errorMessage(error)}`,
      {
        hint: options.hint ?? "check the path and that this user may read it",
        cause: error,
      },
    );
  }
}
