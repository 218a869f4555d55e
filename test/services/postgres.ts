import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureDebianPackages } from "./debian-packages.js";
import { freePort } from "./free-port.js";
import { servicesTmpdir, claimServiceDir, reapOrphans } from "./orphans.js";

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/givre */
  url: string;
  description: string;
  stop(): void;
}

/**
 * A PostgreSQL cluster in a temp folder, trust auth on 127.0.0.1 only.
 * initdb refuses to run as root, so the cluster belongs to the `postgres`
 * user that Debian's package creates.
 */
export async function startPostgres(): Promise<PostgresServer> {
  ensureDebianPackages(["postgresql"], ["/usr/lib/postgresql"]);
  const bin = postgresBin();
  reapOrphans("givre-pg-", (dir) => stopCluster(bin, join(dir, "data")));
  const dir = mkdtempSync(join(servicesTmpdir(), "givre-pg-"));
  claimServiceDir(dir);
  chownSync(dir, uid("postgres"), gid("postgres"));
  const data = join(dir, "data");
  const port = await freePort();
  const asPostgres = (program: string, ...args: string[]) =>
    execFileSync("runuser", ["-u", "postgres", "--", join(bin, program), ...args], {
      stdio: "pipe",
      timeout: 60_000,
    });
  asPostgres(
    "initdb",
    "-D",
    data,
    "--auth=trust",
    "-U",
    "postgres",
    "--encoding=UTF8",
    "--locale=C.UTF-8",
  );
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  asPostgres("pg_ctl", "-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "start");
  asPostgres("createdb", "-h", "127.0.0.1", "-p", String(port), "givre");
  const version = asPostgres("postgres", "--version").toString().trim();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/givre`,
    description: `${version} at 127.0.0.1:${port}`,
    stop: () => {
      try {
        stopCluster(bin, data);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function stopCluster(bin: string, data: string): void {
  try {
    execFileSync(
      "runuser",
      ["-u", "postgres", "--", join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop"],
      { stdio: "pipe" },
    );
  } catch {
    // Not running: nothing to stop.
  }
}

function postgresBin(): string {
  const base = "/usr/lib/postgresql";
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "initdb")));
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server under ${base}: apt-get install postgresql`);
  return join(base, newest, "bin");
}

function uid(user: string): number {
  return Number(execFileSync("id", ["-u", user]).toString());
}

function gid(user: string): number {
  return Number(execFileSync("id", ["-g", user]).toString());
}
