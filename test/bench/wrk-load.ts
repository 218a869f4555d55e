import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { ensureDebianPackages } from "../services/debian-packages.js";

const run = promisify(execFile);

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx answers and socket errors wrk counted. */
  errors: number;
  /** Requests completed in the run. */
  requests: number;
  /** CPU time the server process used per request, µs (user + system), when its pid is given. */
  cpuMicrosPerRequest?: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** The server's pid, to read its CPU time around the run. */
  serverPid?: number;
  /** A wrk Lua script (request function), written to `scriptFile` when given. */
  script?: string;
  scriptFile?: string;
}

/** Load from Debian's wrk: one thread (the server has the other core), latency percentiles. */
export async function wrkLoad(options: LoadOptions): Promise<LoadResult> {
  ensureDebianPackages(["wrk"], ["wrk"]);
  const args = ["-t1", `-c${options.connections}`, `-d${options.seconds}s`, "--latency"];
  if (options.script !== undefined && options.scriptFile !== undefined) {
    writeFileSync(options.scriptFile, options.script);
    args.push("-s", options.scriptFile);
  }
  const cpuBefore = cpuMicros(options.serverPid);
  const { stdout } = await run("wrk", [...args, options.url], { maxBuffer: 1 << 20 });
  const result = parseWrk(stdout);
  const cpu = cpuMicros(options.serverPid) - cpuBefore;
  if (Number.isFinite(cpu) && result.requests > 0) {
    result.cpuMicrosPerRequest = cpu / result.requests;
  }
  return result;
}

/** User + system CPU of a process so far, µs, from /proc (clock ticks of 10 ms). */
function cpuMicros(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function parseWrk(text: string): LoadResult {
  const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    text,
  );
  const socketTotal = socketErrors
    ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0)
    : 0;
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: latencyMs(text, "50%"),
    p99Ms: latencyMs(text, "99%"),
    errors: Number(errors?.[1] ?? 0) + socketTotal,
    requests: Number(/(\d+) requests in/.exec(text)?.[1] ?? 0),
  };
}

/** wrk prints `99%    1.23ms` (or us, or s). */
function latencyMs(text: string, percentile: string): number {
  const match = new RegExp(`^\\s+${percentile}\\s+([\\d.]+)(us|ms|s)$`, "m").exec(text);
  if (!match) return NaN;
  const scale = { us: 0.001, ms: 1, s: 1000 }[match[2] as "us" | "ms" | "s"];
  return Number(match[1]) * scale;
}
