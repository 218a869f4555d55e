#!/usr/bin/env node
import { Command, CommanderError, Option } from "commander";
import { ExitCode, GivreError, errorMessage } from "../errors.js";
import { LOG_LEVELS } from "../log/logger.js";
import { registerCatalog } from "./catalog.js";
import { registerDoctor } from "./doctor.js";
import { registerLs } from "./ls.js";
import { registerRestore } from "./restore.js";
import { registerRun } from "./run.js";
import { registerStatus } from "./status.js";
import { registerPlan } from "./plan.js";
import { registerPolicy } from "./policy.js";
import { registerServe } from "./serve.js";
import { registerVerify } from "./verify.js";

const program = new Command("givre")
  .description(
    "Tier a file server to S3-compatible cold storage, and keep every old path resolving.",
  )
  .version(process.env.npm_package_version ?? "0.1.0")
  .option("-c, --config <file>", "config file (default: $GIVRE_CONFIG, else /etc/givre/givre.yaml)")
  .addOption(new Option("--log-level <level>", "log verbosity").choices(LOG_LEVELS).default("info"))
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

registerDoctor(program);
registerRun(program);
registerStatus(program);
registerLs(program);
registerRestore(program);
registerVerify(program);
registerCatalog(program);
registerPlan(program);
registerPolicy(program);
registerServe(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeOf(error);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version are not failures; every other commander error is usage.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof GivreError) {
    process.stderr.write(`givre: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  fix: ${error.hint}\n`);
    return error.exitCode;
  }
  process.stderr.write(`givre: unexpected failure: ${errorMessage(error)}\n`);
  if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return ExitCode.someFilesFailed;
}
