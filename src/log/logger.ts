import { pino, type Logger, type LevelWithSilent } from "pino";
import pretty from "pino-pretty";

export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = [
  "trace",
  "debug",
  "info",
  "warn",
  "error",
  "fatal",
  "silent",
];

export interface LoggerOptions {
  /** Default `info`. */
  level?: LevelWithSilent;
  /** Human-readable lines; default: when stderr is a terminal. JSON lines otherwise (cron, systemd). */
  pretty?: boolean;
  /** Where log lines go; default stderr, so stdout stays for command output. */
  fd?: number;
}

/**
 * One logger per process; children per run and per file. Messages are
 * fixed strings with a context object, so JSON logs can be grepped and
 * parsed. Signed URLs and secrets are never put in a log context.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const fd = options.fd ?? 2;
  const level = options.level ?? "info";
  const human = options.pretty ?? process.stderr.isTTY === true;
  const base = {
    level,
    base: { pid: process.pid },
    redact: ["url", "*.url", "secret", "*.secret"],
  };
  if (!human) return pino(base, pino.destination({ fd, sync: true }));
  const stream = pretty({
    destination: fd,
    sync: true,
    colorize: true,
    ignore: "pid,hostname",
    translateTime: "HH:MM:ss",
  });
  return pino(base, stream);
}
