import type { Command } from "commander";
import type { Catalog } from "../catalog/catalog.js";
import {
  catalogSize,
  compareCatalogs,
  copyCatalog,
  type CatalogComparison,
  type CopyResult,
} from "../catalog/copy-catalog.js";
import {
  describeLocation,
  openCatalogAt,
  parseCatalogLocation,
  type CatalogLocation,
} from "../catalog/open-catalog.js";
import { ExitCode, GivreError, UsageError } from "../errors.js";
import { createLogger } from "../log/logger.js";
import { Progress } from "../log/progress.js";
import { globalOptions } from "./context.js";
import { formatTable, quantity } from "./format.js";

interface MigrateOptions {
  from: string;
  to: string;
  force?: boolean;
  dryRun?: boolean;
}

type Out = NodeJS.WritableStream;

export function registerCatalogMigrate(group: Command): void {
  group
    .command("migrate")
    .description("copy every entry and run of one catalog into another, e.g. SQLite to PostgreSQL")
    .requiredOption("--from <catalog>", "the catalog to copy: sqlite:PATH or postgres://...")
    .requiredOption("--to <catalog>", "the catalog to fill: postgres://... or sqlite:PATH")
    .option("--force", "copy into a target that already holds entries or runs")
    .option("--dry-run", "show what would be copied, without opening the target")
    .addHelpText(
      "after",
      `
The source is only read: never created, never migrated. The target
is created and migrated if needed, and must be empty unless --force. With
--force, entries with the same root and path are replaced and runs with the
same id are kept: run again with --force to finish an interrupted copy.
After copying, files and bytes per (policy, state), and the runs, are
compared on both sides; exit 1 if they differ. Stop givre run and serve on
every host while migrating, then point catalog: in the config at the target.
Put the password in PGPASSWORD rather than in the URL.

Example:
  givre catalog migrate --from sqlite:/var/lib/givre/catalog.db \\
    --to postgres://givre@db.example.net/givre`,
    )
    .action(async (options: MigrateOptions, command: Command) => {
      await migrate(options, command, process.stdout);
    });
}

async function migrate(options: MigrateOptions, command: Command, out: Out): Promise<void> {
  const log = createLogger({ level: globalOptions(command).logLevel });
  const from = location(options.from, "--from");
  const to = location(options.to, "--to");
  refuseSameCatalog(from, to);
  const source = await openCatalogAt(from, {
    readonly: true,
    hint: "check the path given to --from",
  });
  try {
    out.write(`from  ${source.describe()}\n`);
    if (options.dryRun) return await showPlan(source, to, out);
    const target = await openCatalogAt(to, { hint: "check the path given to --to" });
    try {
      const copied = await copyAndCompare(source, target, options.force === true, out);
      log.info({ from: source.describe(), to: target.describe(), ...copied }, "catalog migrated");
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

async function copyAndCompare(
  source: Catalog,
  target: Catalog,
  force: boolean,
  out: Out,
): Promise<CopyResult> {
  out.write(`to    ${target.describe()}\n`);
  if (!force) await refuseNonEmpty(target);
  const copied = await copyWithProgress(source, target);
  const kept = copied.runsKept ? `; ${quantity(copied.runsKept, "run")} already there` : "";
  out.write(
    `copied ${quantity(copied.entries, "entry")} and ${quantity(copied.runs, "run")}${kept}\n`,
  );
  const comparison = await compareCatalogs(source, target);
  out.write(`\n${formatTable(comparisonTable(comparison))}`);
  if (!comparison.matches) throw countsDiffer(comparison);
  out.write("counts match\n");
  return copied;
}

function location(text: string, option: string): CatalogLocation {
  const parsed = parseCatalogLocation(text);
  if (parsed) return parsed;
  // Nothing from an @ on is repeated: a URL-like value may carry a password there.
  const shown = text.includes("@") ? `${text.split(/[:@]/)[0]}...` : text;
  throw new UsageError(
    "CATALOG_LOCATION_INVALID",
    `${option}: expected sqlite:PATH or a postgres:// URL, found "${shown}"`,
    { hint: `e.g. ${option} sqlite:/var/lib/givre/catalog.db` },
  );
}

function refuseSameCatalog(from: CatalogLocation, to: CatalogLocation): void {
  const same =
    (from.kind === "sqlite" && to.kind === "sqlite" && from.file === to.file) ||
    (from.kind === "postgres" && to.kind === "postgres" && from.url === to.url);
  if (!same) return;
  throw new UsageError(
    "CATALOG_MIGRATE_SAME",
    `--from and --to name the same catalog (${describeLocation(from)})`,
    { hint: "name the catalog to copy with --from and a new one with --to" },
  );
}

async function showPlan(source: Catalog, to: CatalogLocation, out: Out): Promise<void> {
  const size = await catalogSize(source);
  out.write(`to    ${describeLocation(to)} (not opened: dry run)\n`);
  out.write(`would copy ${quantity(size.entries, "entry")} and ${quantity(size.runs, "run")}\n\n`);
  const rows = (await source.summary()).map((row) => [
    row.policy,
    row.state,
    String(row.files),
    String(row.bytes),
  ]);
  out.write(formatTable([["policy", "state", "files", "bytes"], ...rows]));
}

async function refuseNonEmpty(target: Catalog): Promise<void> {
  const size = await catalogSize(target);
  if (size.entries === 0 && size.runs === 0) return;
  throw new UsageError(
    "CATALOG_TARGET_NOT_EMPTY",
    `target catalog ${target.describe()} already holds ${quantity(size.entries, "entry")} and ${quantity(size.runs, "run")}`,
    {
      hint: "copy into an empty catalog, or pass --force to copy into this one (same root and path: replaced)",
    },
  );
}

async function copyWithProgress(source: Catalog, target: Catalog): Promise<CopyResult> {
  const progress = new Progress("copying entries", await source.count({}));
  const copied = await copyCatalog(source, target, {
    onProgress: (entries) => progress.update(entries),
  });
  progress.finish();
  return copied;
}

function comparisonTable(comparison: CatalogComparison): string[][] {
  const header = ["policy", "state", "files", "bytes", "target files", "target bytes", ""];
  const rows = comparison.counts.map((row) => [
    row.policy,
    row.state,
    String(row.source.files),
    String(row.source.bytes),
    String(row.target.files),
    String(row.target.bytes),
    row.matches ? "" : "<- differs",
  ]);
  return [header, ...rows];
}

function countsDiffer(comparison: CatalogComparison): GivreError {
  const differing = comparison.counts
    .filter((row) => !row.matches)
    .map((row) => `${row.policy}/${row.state}`);
  const missing = comparison.missingRuns.length;
  const runs = missing ? [`${quantity(missing, "run")} missing from the target`] : [];
  return new GivreError(
    "CATALOG_COUNTS_DIFFER",
    ExitCode.someFilesFailed,
    `after copying, the target differs from the source: ${[...differing, ...runs].join(", ")}`,
    {
      hint: "stop every givre process using either catalog; the target may also hold entries the source lacks: copy into an empty one",
    },
  );
}
