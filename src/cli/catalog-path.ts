import { isAbsolute, relative, sep } from "node:path";
import type { GivreConfig } from "../config/config.js";
import { UsageError } from "../errors.js";

export interface CatalogPath {
  root: string;
  /** Relative to the root; "" for the root itself. */
  path: string;
}

/**
 * Reads a path as an admin types it: a local absolute path under a root
 * (`/srv/data/radar/2019`), or `<root>/<path>` (`data/radar/2019`).
 */
export function parseCatalogPath(config: GivreConfig, input: string): CatalogPath {
  if (isAbsolute(input)) {
    for (const [root, dir] of Object.entries(config.roots)) {
      const inside = relative(dir, input);
      if (inside === "" || (!inside.startsWith("..") && !isAbsolute(inside))) {
        return { root, path: inside.split(sep).join("/") };
      }
    }
    throw new UsageError(
      "PATH_OUTSIDE_ROOTS",
      `${input} is under none of the roots (${Object.values(config.roots).join(", ")})`,
    );
  }
  const [root, ...rest] = input.split("/");
  if (!root || !(root in config.roots)) {
    const known = Object.keys(config.roots).join(", ") || "none";
    throw new UsageError(
      "ROOT_UNKNOWN",
      `"${input}" does not start with a root name (roots: ${known})`,
      {
        hint: "give <root>/<path>, or an absolute local path under a root",
      },
    );
  }
  const path = rest.join("/");
  if (path.split("/").some((part) => part === "..")) {
    throw new UsageError("PATH_ESCAPES", `"${input}" has a .. segment`);
  }
  return { root, path };
}
