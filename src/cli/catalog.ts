import type { Command } from "commander";
import { registerCatalogMigrate } from "./catalog-migrate.js";
import { registerCatalogRebuild } from "./catalog-rebuild.js";

/**
 * `givre catalog <subcommand>`: work on the catalog as a whole. Each
 * subcommand lives in its own file (`catalog-<name>.ts`) exporting a
 * `registerCatalog<Name>(group)`, added to the list below.
 */
const SUBCOMMANDS: readonly ((group: Command) => void)[] = [
  registerCatalogMigrate,
  registerCatalogRebuild,
];

export function registerCatalog(program: Command): void {
  const group = program.command("catalog").description("work on the catalog as a whole");
  for (const register of SUBCOMMANDS) register(group);
}
