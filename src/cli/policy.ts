import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { readPolicyFolder } from "../policy/load-policies.js";
import { explainFile } from "../policy/explain-file.js";
import type { Policy } from "../policy/policy.js";
import { atOption } from "./at-option.js";
import { commandContext } from "./context.js";
import { describePolicy } from "./plan-report.js";

interface CheckFlags {
  explain?: string;
  at?: number;
}

export function registerPolicy(program: Command): void {
  const policy = program.command("policy").description("check the policies");
  policy
    .command("check")
    .description("validate every policy file; with --explain, tell which policy takes a path")
    .option("--explain <path>", "a file path (absolute, or relative to here), or ROOT:PATH")
    .addOption(atOption())
    .addHelpText(
      "after",
      `
Every error names the file, the line and the field. Exit codes: 0 all
valid, 2 some policy file has an error (all are listed).`,
    )
    .action((flags: CheckFlags, command: Command) => {
      const { config, out } = commandContext(command);
      const policies = checkAll(config.policies, readPolicyFolder(config), flags, out);
      if (flags.explain === undefined) return;
      const explanation = explainFile(config, policies, flags.explain, flags.at ?? Date.now());
      out.write(`${explanation.join("\n")}\n`);
    });
}

/** Prints a line per valid policy and every error; throws if any file has one. */
function checkAll(
  folder: string,
  results: ReturnType<typeof readPolicyFolder>,
  flags: CheckFlags,
  out: NodeJS.WritableStream,
): Policy[] {
  const failed = results.filter((result) => result.error);
  for (const { error } of failed) {
    process.stderr.write(`givre: ${error!.message}\n`);
    if (error!.hint) process.stderr.write(`  fix: ${error!.hint}\n`);
  }
  if (failed.length > 0) {
    const have = failed.length === 1 ? "has" : "have";
    throw new UsageError(
      "POLICY_INVALID",
      `${failed.length} of ${results.length} policy files in ${folder} ${have} errors (above)`,
    );
  }
  const policies = results.map((result) => result.policy!);
  if (flags.explain !== undefined) return policies;
  for (const policy of policies) {
    out.write(
      `ok  ${policy.file.split("/").pop()}: ${policy.name}, root ${policy.root}: ${describePolicy(policy)}\n`,
    );
  }
  out.write(`${policies.length} policies valid in ${folder}\n`);
  return policies;
}
