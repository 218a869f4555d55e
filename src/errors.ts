/**
 * Exit codes are a contract with cron and with the operator's scripts
 * (see README, "Exit codes"); every error knows which one it maps to.
 */
export const ExitCode = {
  ok: 0,
  someFilesFailed: 1,
  usage: 2,
  locked: 3,
  storage: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface GivreErrorOptions {
  /** What the operator can do about it, printed after the message. */
  hint?: string;
  cause?: unknown;
}

/** An error the CLI reports as one line (plus a hint) and a stable exit code. */
export class GivreError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(code: string, exitCode: ExitCode, message: string, options: GivreErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "GivreError";
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** Bad configuration, policy or command line: exit 2. */
export class UsageError extends GivreError {
  constructor(code: string, message: string, options: GivreErrorOptions = {}) {
    super(code, ExitCode.usage, message, options);
    this.name = "UsageError";
  }
}

/** Storage unreachable, credentials refused, bucket missing: exit 4. */
export class StorageError extends GivreError {
  constructor(code: string, message: string, options: GivreErrorOptions = {}) {
    super(code, ExitCode.storage, message, options);
    this.name = "StorageError";
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
