import { UsageError } from "../errors.js";

/**
 * `user@host:port/database` from a postgres:// URL: enough to find the
 * server, never the password (neither the URL's nor a `password=` query
 * parameter, which is why the query is left out too).
 */
export function postgresLocation(url: string): string {
  const parsed = parse(url);
  const host =
    decodeURIComponent(parsed.hostname) || parsed.searchParams.get("host") || "localhost";
  const user = decodeURIComponent(parsed.username) || parsed.searchParams.get("user");
  const port = parsed.port ? `:${parsed.port}` : "";
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  return `${user ? `${user}@` : ""}${host}${port}/${database}`;
}

function parse(url: string): URL {
  try {
    return new URL(url);
  } catch (error) {
    // The URL is not repeated: it may hold a password.
    throw new UsageError("CATALOG_URL_INVALID", "the PostgreSQL catalog URL cannot be parsed", {
      hint: "write it as postgres://user@host:port/database (percent-encode special characters)",
      cause: error,
    });
  }
}
