import type { Command } from "commander";
import type { GivreConfig } from "../config/config.js";
import { configPath, loadConfig } from "../config/load-config.js";
import { createLogger, type Logger } from "../log/logger.js";
import type { LevelWithSilent } from "pino";

/** Options every command accepts (declared once on the program). */
export interface GlobalOptions {
  config?: string;
  logLevel?: LevelWithSilent;
  json?: boolean;
}

export interface CommandContext {
  config: GivreConfig;
  log: Logger;
  /** Output for humans goes here; JSON output for scripts too. Logs go to stderr. */
  out: NodeJS.WritableStream;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** Loads the config and makes the logger: the first step of every command. */
export function commandContext(command: Command): CommandContext {
  const options = globalOptions(command);
  const log = createLogger({ level: options.logLevel });
  const config = loadConfig(configPath(options.config));
  return { config, log, out: process.stdout };
}
