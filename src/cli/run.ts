import type { Command } from "commander";
import { openCatalog } from "../catalog/open-catalog.js";
import { parseSize } from "../config/units.js";
import { ExitCode, UsageError } from "../errors.js";
import { ProgressLine } from "../log/progress-line.js";
import { loadPolicies } from "../policy/load-policies.js";
import { planCandidates } from "../scan/plan.js";
import { StorageRegistry } from "../storage/target-storage.js";
import { RunLock } from "../tiering/run-lock.js";
import type { RunSummary } from "../tiering/run-summary.js";
import { TieringRun } from "../tiering/tiering-run.js";
import { commandContext } from "./context.js";
import { repeatable } from "./repeatable.js";
import { progressText, summaryText } from "./run-report.js";
import { stopOnSignals } from "./stop-signals.js";

interface RunFlags {
  policy: string[];
  dryRun?: boolean;
  maxFiles?: string;
  maxBytes?: string;
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("tier what has aged: scan, upload, prove, write manifests, free local disk")
    .option("--policy <name>", "only this policy (repeat for several)", repeatable, [])
    .option("--dry-run", "show what would be taken; change nothing anywhere")
    .option("--max-files <n>", "take at most this many files in this run")
    .option("--max-bytes <size>", "take at most this much in this run, e.g. 200GiB")
    .option("--json", "print the summary as one JSON object on stdout")
    .addHelpText(
      "after",
      `
Per file, in this order: the catalog records it "uploading"; it is uploaded
and proven in the bucket (size and ETag); its manifest line is written and
uploaded; the file is checked again (a file that changed stays); only then
is it removed (action: archive). A run killed at any moment resumes there.

A lock in the state folder keeps two runs apart. SIGINT or SIGTERM stop
cleanly; a second one exits at once (still safe).

Exit codes: 0 all done; 1 some files failed (listed); 2 bad config, policy
or usage; 3 another run holds the lock; 4 storage unreachable or refusing.`,
    )
    .action(async (flags: RunFlags, command: Command) => {
      const summary = await runCommand(flags, command);
      const failed = summary.failures.length + (summary.scan?.unreadable.length ?? 0);
      if (summary.outcome !== "ok" || failed > 0) process.exitCode = ExitCode.someFilesFailed;
    });
}

async function runCommand(flags: RunFlags, command: Command): Promise<RunSummary> {
  const { config, log, out } = commandContext(command);
  const policies = loadPolicies(config);
  const names = flags.policy.length > 0 ? flags.policy : undefined;
  const limits = {
    maxFiles: positiveInteger(flags.maxFiles, "--max-files"),
    maxBytes: size(flags.maxBytes),
  };
  const storage = new StorageRegistry(config);
  const catalog = await openCatalog(config);
  const progress = new ProgressLine();
  const stop = stopOnSignals((name) =>
    log.warn({ signal: name }, "stopping: in-flight uploads are aborted, stored files finish"),
  );
  let lock: RunLock | undefined;
  try {
    const started = Date.now();
    let scanned = 0;
    const plan = planCandidates(config, policies, {
      policies: names,
      signal: stop.signal,
      onProgress: (p) => (scanned = p.filesSeen),
    });
    const onProgress = (counts: Parameters<typeof progressText>[0]) =>
      progress.show(progressText(counts, Date.now() - started, scanned));
    const run = new TieringRun(
      { config, catalog, storage, log, policies },
      { ...limits, dryRun: flags.dryRun, policies: names, signal: stop.signal, onProgress },
    );
    if (!flags.dryRun) lock = RunLock.acquire(config.stateDir, run.id);
    const summary = await run.execute(plan.candidates, () => plan.report);
    progress.clear();
    out.write(flags.json ? `${JSON.stringify(summary)}\n` : summaryText(summary));
    return summary;
  } finally {
    progress.clear();
    stop.dispose();
    lock?.release();
    storage.destroy();
    await catalog.close();
  }
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new UsageError("USAGE", `${flag}: expected a whole number above 0, found "${value}"`);
  }
  return number;
}

function size(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const bytes = parseSize(value);
  if (bytes === undefined || bytes === 0) {
    throw new UsageError("USAGE", `--max-bytes: expected a size such as 200GiB, found "${value}"`);
  }
  return bytes;
}
