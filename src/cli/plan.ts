import type { Command } from "commander";
import { formatBytes } from "../config/units.js";
import { ExitCode } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { ProgressLine } from "../log/progress-line.js";
import { loadPolicies } from "../policy/load-policies.js";
import type { ScanReport } from "../scan/candidate.js";
import { planCandidates, type Plan, type ScanProgress } from "../scan/plan.js";
import { PlanSummary } from "../scan/plan-summary.js";
import { atOption } from "./at-option.js";
import { CandidateJson } from "./candidate-json.js";
import { commandContext } from "./context.js";
import { repeatable } from "./repeatable.js";
import { LineWriter } from "./line-writer.js";
import { number, planText } from "./plan-report.js";

interface PlanFlags {
  policy: string[];
  json?: boolean;
  at?: number;
}

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description("show what a run would take now, per policy, without moving anything")
    .option("--policy <name>", "plan only this policy (repeat for several)", repeatable, [])
    .option("--json", "one JSON object per candidate on stdout, for scripts")
    .addOption(atOption())
    .addHelpText(
      "after",
      `
Per policy: the files and bytes to go, the oldest and newest, a few sample
paths, what stays (kept, not old enough, undated) and the per-run limits.
Exit codes: 0 planned, 1 some folders or files could not be read (listed),
2 bad config or policy.`,
    )
    .action(async (flags: PlanFlags, command: Command) => {
      const { config, log, out } = commandContext(command);
      const policies = loadPolicies(config);
      const names = flags.policy.length > 0 ? flags.policy : undefined;
      const progress = new ProgressLine();
      const plan = planCandidates(config, policies, {
        policies: names,
        now: flags.at,
        onProgress: (state) => (state.done ? progress.clear() : progress.show(progressText(state))),
      });
      const planned = policies.filter((policy) => names?.includes(policy.name) ?? true);
      const summary = new PlanSummary(planned);
      try {
        if (flags.json) await writeCandidates(plan, new LineWriter(out));
        else for await (const candidate of plan.candidates) summary.add(candidate);
      } finally {
        progress.clear();
      }
      if (flags.json) logReport(log, plan.report);
      else out.write(planText(summary.totals, plan.report));
      if (plan.report.unreadable.length > 0) process.exitCode = ExitCode.someFilesFailed;
    });
}

async function writeCandidates(plan: Plan, writer: LineWriter): Promise<void> {
  const json = new CandidateJson();
  for await (const candidate of plan.candidates) {
    if (writer.add(json.line(candidate))) await writer.flush();
    if (writer.closed) break;
  }
  await writer.flush();
}

function logReport(log: Logger, report: ScanReport): void {
  for (const { path, reason } of report.unreadable) {
    log.warn({ path, reason }, "unreadable, left out of the plan");
  }
  const { unreadable, staying: _staying, ...counts } = report;
  log.info({ ...counts, unreadable: unreadable.length }, "plan scanned");
}

function progressText(state: ScanProgress): string {
  const seen = `${number(state.filesSeen)} files in ${number(state.folders)} folders`;
  return `scanning: ${seen}, ${number(state.candidates)} to go (${formatBytes(state.bytes)})`;
}
