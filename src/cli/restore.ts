import type { Command } from "commander";
import type { Catalog } from "../catalog/catalog.js";
import { openCatalog } from "../catalog/open-catalog.js";
import { formatBytes } from "../config/units.js";
import { UsageError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { ProgressLine } from "../log/progress-line.js";
import { mtimeBounds } from "../restore/date-bounds.js";
import type { RestoreCounts, RestoreReport } from "../restore/restore-report.js";
import { restoreExitCode } from "../restore/restore-report.js";
import { Restorer } from "../restore/restorer.js";
import { RestoreSelection } from "../restore/selection.js";
import { StorageReadAccess } from "../storage/read-access.js";
import { StorageRegistry } from "../storage/target-storage.js";
import { commandContext } from "./context.js";
import { stopOnSignals } from "./stop-signals.js";
import { printThawStatus } from "./restore-status.js";

interface RestoreFlags {
  policy?: string;
  since?: string;
  until?: string;
  to?: string;
  dryRun?: boolean;
  force?: boolean;
  wait?: boolean;
  status?: boolean;
  json?: boolean;
}

/** Under cron, a progress log line this often (a terminal gets a live line instead). */
const PROGRESS_LOG_MS = 10_000;
/** Least time between two redraws of the terminal line. */
const REDRAW_MS = 200;

export function registerRestore(program: Command): void {
  program
    .command("restore")
    .description("bring archived files back to disk: files, folders, globs or a date range")
    .argument("[paths...]", "<root>/<path>, a local path under a root, or a glob (quote it)")
    .option("--policy <name>", "only files taken by this policy")
    .option("--since <date>", "only files whose original mtime is on or after (YYYY[-MM[-DD]])")
    .option("--until <date>", "only files whose original mtime is on or before (inclusive)")
    .option("--to <dir>", "restore under DIR (same layout) instead of each file's root")
    .option("--dry-run", "say what would be restored and thawed; change nothing")
    .option("--force", "replace local files that differ from the archive")
    .option("--wait", "wait for cold objects to thaw instead of leaving them for a later run")
    .option("--status", "list thawing, ready and restored files; restore nothing")
    .option("--json", "the report as one JSON object")
    .addHelpText(
      "after",
      `
Examples:
  givre restore data/radar/reflectivity/2019/06/01/image.png
  givre restore data/radar/reflectivity --since 2019-06 --until 2019-06
  givre restore 'data/tiles/base/12/**' --to /tmp/tiles

Bytes are checked against the catalog's SHA-256 before a file appears;
a local file that differs is reported, not replaced, unless --force.
Cold objects are thawed first; run the same command again (or use --wait).
Exit codes: 0 done (or thawing), 1 some files failed or were in the way,
2 bad usage, 4 storage unreachable.`,
    )
    .action(async (paths: string[], flags: RestoreFlags, command: Command) => {
      const { config, log, out } = commandContext(command);
      const catalog = await openCatalog(config);
      const storage = new StorageRegistry(config);
      const access = new StorageReadAccess(storage);
      try {
        if (flags.status) return await printThawStatus(catalog, access, paths, config, out);
        if (paths.length === 0) {
          throw new UsageError("RESTORE_NO_PATH", "name at least one path or glob to restore", {
            hint: "e.g. givre restore data/radar/2019 (or --status to see thaws)",
          });
        }
        const report = await restore(catalog, access, paths, flags, { config, log });
        out.write(flags.json ? `${JSON.stringify(report)}\n` : formatReport(report));
        process.exitCode = restoreExitCode(report);
      } finally {
        access.destroy();
        storage.destroy();
        await catalog.close();
      }
    });
}

async function restore(
  catalog: Catalog,
  access: StorageReadAccess,
  paths: string[],
  flags: RestoreFlags,
  { config, log }: { config: ReturnType<typeof commandContext>["config"]; log: Logger },
): Promise<RestoreReport> {
  const filter = { policy: flags.policy, ...mtimeBounds(flags.since, flags.until) };
  const selection = await RestoreSelection.parse(config, catalog, paths, filter);
  if (flags.to !== undefined && selection.roots.length > 1) {
    throw new UsageError(
      "RESTORE_TO_MANY_ROOTS",
      `--to takes paths of one root; these name ${selection.roots.join(", ")}`,
    );
  }
  const stop = stopOnSignals((name) =>
    log.warn({ signal: name }, "stopping: files being written are dropped; run again to resume"),
  );
  const progress = progressReporter(log);
  try {
    const restorer = new Restorer(
      { config, catalog, access, log },
      {
        to: flags.to,
        dryRun: flags.dryRun,
        force: flags.force,
        wait: flags.wait,
        signal: stop.signal,
        onProgress: progress.update,
      },
    );
    return await restorer.execute(selection);
  } finally {
    progress.done();
    stop.dispose();
  }
}

/** A live line on a terminal (at most 5 redraws a second); a log line every 10 s otherwise. */
function progressReporter(log: Logger): {
  update: (counts: Readonly<RestoreCounts>) => void;
  done: () => void;
} {
  const line = new ProgressLine();
  const started = Date.now();
  let drawnAt = 0;
  let loggedAt = started;
  return {
    update(counts) {
      const now = Date.now();
      if (now - drawnAt >= REDRAW_MS) {
        drawnAt = now;
        line.show(progressText(counts, now - started));
      }
      if (!process.stderr.isTTY && now - loggedAt >= PROGRESS_LOG_MS) {
        loggedAt = now;
        log.info({ counts, elapsedMs: now - started }, "restore progress");
      }
    },
    done: () => line.clear(),
  };
}

function progressText(counts: Readonly<RestoreCounts>, elapsedMs: number): string {
  const done = counts.restored + counts.unchanged + counts.conflicts + counts.failed;
  const rate = elapsedMs > 0 ? (counts.bytes * 1000) / elapsedMs : 0;
  return `restore: ${done}/${counts.selected} files, ${formatBytes(counts.bytes)}, ${formatBytes(rate)}/s, ${counts.failed} failed`;
}

export function formatReport(report: RestoreReport): string {
  const { counts } = report;
  const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;
  const verb = report.dryRun ? "would restore" : "restored";
  const seconds = (report.elapsedMs / 1000).toFixed(1);
  const lines = [
    `${verb.padEnd(10)} ${files(counts.restored)}, ${formatBytes(counts.bytes)} (${counts.reads} reads) in ${seconds} s`,
  ];
  if (counts.unchanged) lines.push(`unchanged  ${files(counts.unchanged)} already on disk`);
  for (const conflict of report.conflicts) {
    lines.push(`conflict   ${conflict.path}: ${conflict.reason}`);
  }
  for (const failure of report.failures) {
    lines.push(`failed     ${failure.path}: ${failure.reason}`);
  }
  for (const thaw of report.thawing) {
    lines.push(`thawing    ${thaw.key} (${files(thaw.files)}): run again later, or add --wait`);
  }
  if (report.sweptTemps) {
    lines.push(`cleaned    ${report.sweptTemps} temp files of an interrupted restore`);
  }
  return `${lines.join("\n")}\n`;
}
