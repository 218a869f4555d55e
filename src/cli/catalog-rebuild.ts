import type { Command } from "commander";
import { FILE_STATES, type Catalog } from "../catalog/catalog.js";
import { openCatalog } from "../catalog/open-catalog.js";
import { SqliteCatalog } from "../catalog/sqlite-catalog.js";
import type { GivreConfig } from "../config/config.js";
import { UsageError, errorMessage } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { loadPolicies } from "../policy/load-policies.js";
import type { Policy } from "../policy/policy.js";
import { rebuildCatalog, type RebuildReport } from "../manifest/rebuild-catalog.js";
import { StorageReadAccess } from "../storage/read-access.js";
import { StorageRegistry } from "../storage/target-storage.js";
import { commandContext } from "./context.js";

interface RebuildFlags {
  prefix?: string[];
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** Rows removed per transaction when --force empties the catalog first. */
const DELETE_BATCH = 1000;

export function registerCatalogRebuild(group: Command): void {
  group
    .command("rebuild")
    .description("rebuild the catalog from the manifests (and objects) in the bucket alone")
    .option(
      "--prefix <prefix...>",
      "key prefixes to read (the policies' prefix:); default the whole bucket",
    )
    .option("--force", "empty a catalog that holds entries, then rebuild it")
    .option("--dry-run", "read the bucket and say what the catalog would hold; write nothing")
    .option("--json", "the report as one JSON object")
    .addHelpText(
      "after",
      `
Every manifest segment under <prefix>.givre/manifests/ is read, for each
policy's prefix (the whole bucket when no policy loads); the latest line
for each file wins. Objects that no line names are read by HEAD and
cataloged from givre's metadata. A file still on disk unchanged becomes
copied (or restored, for a policy that archives); others archived.
Run history is not in the bucket: givre status shows no runs afterwards.
Stop givre run and serve while rebuilding. Exit codes: 0 done, 1 some
lines or objects could not be used (listed), 2 the catalog is not empty
(use --force), 4 storage unreachable.`,
    )
    .action(async (flags: RebuildFlags, command: Command) => {
      const { config, log, out } = commandContext(command);
      const storage = new StorageRegistry(config);
      const access = new StorageReadAccess(storage);
      const catalog = flags.dryRun ? new SqliteCatalog(":memory:") : await openCatalog(config);
      try {
        await storage.preflight(Object.keys(config.targets));
        if (!flags.dryRun) await makeEmpty(catalog, flags.force ?? false);
        const policies = policiesIfAny(config, log);
        const report = await rebuildCatalog(
          { config, catalog, storage, access, log },
          {
            prefixes: flags.prefix ?? unique(policies?.map((policy) => policy.prefix)),
            actionOf: (name) => policies?.find((policy) => policy.name === name)?.action,
          },
        );
        out.write(flags.json ? `${JSON.stringify(report)}\n` : formatRebuild(report, flags.dryRun));
        process.exitCode = report.refusedLineCount + report.notCatalogedCount > 0 ? 1 : 0;
      } finally {
        access.destroy();
        storage.destroy();
        await catalog.close();
      }
    });
}

/**
 * The config's policies: their prefixes say where to read, their actions
 * whether a file found on disk is `copied` or `restored`. Without them
 * (a lost server whose policies are not back yet) the whole bucket is read
 * and such files are `copied`.
 */
function policiesIfAny(config: GivreConfig, log: Logger): Policy[] | undefined {
  try {
    return loadPolicies(config);
  } catch (error) {
    log.warn({ err: errorMessage(error) }, "no policies: reading the whole bucket");
    return undefined;
  }
}

function unique(prefixes: string[] | undefined): string[] | undefined {
  return prefixes && [...new Set(prefixes)];
}

async function makeEmpty(catalog: Catalog, force: boolean): Promise<void> {
  const rows = await catalog.count({});
  if (rows === 0) return;
  if (!force) {
    throw new UsageError(
      "CATALOG_NOT_EMPTY",
      `${catalog.describe()} holds ${rows} entries; a rebuild fills an empty catalog`,
      { hint: "add --force to replace its entries with what the bucket holds (runs are kept)" },
    );
  }
  let batch: { root: string; path: string }[] = [];
  for await (const entry of catalog.select({})) {
    batch.push({ root: entry.root, path: entry.path });
    if (batch.length < DELETE_BATCH) continue;
    await catalog.deleteMany(batch);
    batch = [];
  }
  await catalog.deleteMany(batch);
}

function formatRebuild(report: RebuildReport, dryRun = false): string {
  const lines = [
    `read ${report.segments} manifest segments, ${report.lines} lines (${report.refusedLineCount} refused)`,
    `${dryRun ? "would catalog" : "cataloged"} ${report.fromManifests} files from manifests, ${report.fromObjects} from objects no manifest names`,
  ];
  for (const refused of report.refusedLines) {
    lines.push(`refused   ${refused.key} line ${refused.line}: ${refused.reason}`);
  }
  for (const object of report.notCataloged) lines.push(`skipped   ${object.key}: ${object.reason}`);
  const states = FILE_STATES.filter((state) => report.states[state]).map(
    (state) => `${state} ${report.states[state]}`,
  );
  lines.push(`catalog   ${states.join(", ") || "empty"}`);
  return `${lines.join("\n")}\n`;
}
