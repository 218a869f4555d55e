import type { Command } from "commander";
import type { PolicySummary, RunRecord } from "../catalog/catalog.js";
import { openCatalog } from "../catalog/open-catalog.js";
import { formatBytes } from "../config/units.js";
import { commandContext } from "./context.js";

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("what is archived, per policy, and how the last runs went (from the catalog)")
    .option("--json", "one JSON object for scripts")
    .option("--runs <n>", "how many recent runs to show", "5")
    .action(async (options: { json?: boolean; runs: string }, command: Command) => {
      const { config, out } = commandContext(command);
      const catalog = await openCatalog(config);
      try {
        const policies = await catalog.summary();
        const runs = await catalog.runs(Number(options.runs));
        if (options.json) out.write(`${JSON.stringify({ policies, runs })}\n`);
        else out.write(formatStatus(policies, runs));
      } finally {
        await catalog.close();
      }
    });
}

export function formatStatus(
  policies: readonly PolicySummary[],
  runs: readonly RunRecord[],
): string {
  const lines: string[] = [];
  if (policies.length === 0) lines.push("nothing in the catalog yet");
  let policy: string | undefined;
  for (const row of policies) {
    if (row.policy !== policy) lines.push(`policy ${(policy = row.policy)}`);
    lines.push(
      `  ${row.state.padEnd(10)} ${String(row.files).padStart(10)} files  ${formatBytes(row.bytes)}`,
    );
  }
  lines.push("", runs.length ? "recent runs" : "no runs yet");
  for (const run of runs) lines.push(`  ${describeRun(run)}`);
  return `${lines.join("\n")}\n`;
}

function describeRun(run: RunRecord): string {
  const when = new Date(run.startedAt).toISOString().replace("T", " ").slice(0, 19);
  const took =
    run.finishedAt === null ? "" : ` in ${Math.round((run.finishedAt - run.startedAt) / 1000)} s`;
  const scope = run.policies.length ? ` [${run.policies.join(", ")}]` : "";
  const totals = `${run.files} files, ${formatBytes(run.bytes)}, ${run.failures} failed`;
  return `${run.id}  ${when} UTC  ${run.outcome}${took}: ${totals}${scope}`;
}
