import { ExitCode, GivreError, UsageError, errorMessage } from "../errors.js";
import { UNREACHABLE_SOCKET_CODES } from "../unreachable-codes.js";

/** Socket errors and SQLSTATEs that mean "the server is not there right now". */
const UNREACHABLE_CODES = new Set<string>([
  ...UNREACHABLE_SOCKET_CODES,
  "EPIPE",
  "ENOENT", // no Unix socket at a host=/run/postgresql style path
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
  "53300", // too_many_connections
]);

/** pg's own messages for a connection that timed out or dropped; they carry no code. */
const UNREACHABLE_MESSAGES = /timeout|Connection terminated/i;

interface PgError {
  code?: string;
  message?: string;
  cause?: unknown;
}

/** SQLSTATEs about the login, the database or the role's rights rather than the query. */
const ACCESS_CODES = new Set(["28P01", "28000", "3D000", "42501"]);

/** True when the error is about reaching or using the database, not about one query's data. */
export function isCatalogDatabaseProblem(error: unknown): boolean {
  return isUnreachable(error) || ACCESS_CODES.has((error as PgError | undefined)?.code ?? "");
}

/** True when the error says the server cannot be reached, not that a query was wrong. */
export function isUnreachable(error: unknown): boolean {
  let current = error as PgError | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (UNREACHABLE_CODES.has(current.code ?? "")) return true;
    if (!current.code && UNREACHABLE_MESSAGES.test(current.message ?? "")) return true;
    current = current.cause as PgError | undefined;
  }
  return false;
}

/**
 * A failure to open or use the catalog database as an error the operator
 * can act on: exit 4 when the server is down or unreachable (as for a
 * storage target), exit 2 when the URL, the role or its rights are wrong.
 * GivreErrors pass through unchanged.
 */
export function catalogDatabaseFailure(where: string, error: unknown): GivreError {
  if (error instanceof GivreError) return error;
  const said = `catalog postgres ${where}`;
  const code = (error as PgError | undefined)?.code;
  if (isUnreachable(error)) {
    return new GivreError(
      "CATALOG_UNREACHABLE",
      ExitCode.storage,
      `${said}: unreachable (${reason(error)})`,
      { hint: unreachableHint(error), cause: error },
    );
  }
  switch (code) {
    case "28P01":
    case "28000":
      return refused("CATALOG_LOGIN_REFUSED", said, error, loginHint());
    case "3D000":
      return refused("CATALOG_NO_DATABASE", said, error, createHint(where));
    case "42501":
      return refused(
        "CATALOG_NOT_PERMITTED",
        said,
        error,
        "grant this role the rights it lacks, or open the catalog once as its owner to migrate it",
      );
    default:
      return refused("CATALOG_UNUSABLE", said, error, "check the catalog URL and the server's log");
  }
}

function refused(code: string, said: string, error: unknown, hint: string): UsageError {
  return new UsageError(code, `${said}: ${errorMessage(error)}`, { hint, cause: error });
}

function unreachableHint(error: unknown): string {
  const hint = "check that PostgreSQL is up and accepts connections there, and the catalog URL";
  // pg-pool says "timeout" both when connecting and when every pooled connection stayed busy.
  const timedOut = /timeout/i.test(errorMessage(error));
  return timedOut ? `${hint}; under heavy load, every pooled connection may be busy` : hint;
}

function loginHint(): string {
  return "check the user in the URL and its password (PGPASSWORD), and pg_hba.conf on the server";
}

function createHint(where: string): string {
  const database = where.slice(where.lastIndexOf("/") + 1);
  return `create it first, e.g. createdb -O <givre role> ${database}`;
}

/** The short cause: a socket code such as ECONNREFUSED, else pg's message. */
function reason(error: unknown): string {
  const code = (error as PgError | undefined)?.code;
  if (code && /^E[A-Z]+$/.test(code)) return code;
  const nested = (error as PgError | undefined)?.cause;
  if (nested) return reason(nested);
  return errorMessage(error);
}
