import { UsageError } from "../errors.js";

/**
 * Errors both catalog implementations raise about the store itself. `where`
 * is what `Catalog.describe()` prints, so it never holds a password.
 */

/** The store was written by a newer givre: reading it could misread rows. */
export function catalogTooNew(where: string, found: number, known: number): UsageError {
  return new UsageError(
    "CATALOG_TOO_NEW",
    `catalog ${where} has schema version ${found}; this givre knows versions up to ${known}`,
    { hint: "upgrade givre on this host to the release that wrote the catalog" },
  );
}

/** A read-only open found no givre schema (an empty or foreign database). */
export function notACatalog(where: string): UsageError {
  return new UsageError("CATALOG_NOT_FOUND", `${where} holds no givre catalog`, {
    hint: "check the path or URL; a catalog is created by opening it for writing",
  });
}
