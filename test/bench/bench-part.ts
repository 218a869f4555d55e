import { spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import type { SiteTree } from "./site-tree.js";

/** What every bench part gets: one shared tree, made once per bench run. */
export interface BenchContext {
  tree: SiteTree;
  /** A folder of the bench's own, beside the tree, for configs and state. */
  dir: string;
  /** The built CLI, dist/cli/main.js. */
  givre: string;
  /** The repository's example policies. */
  policies: string;
  /** Prints one line of results, prefixed by the part's name. */
  print(line: string): void;
}

/** One part of `npm run bench`; parts run in order and share the tree. */
export interface BenchPart {
  name: string;
  /** Resolves false when the part missed its target (the bench then exits 1). */
  run(context: BenchContext): Promise<boolean>;
}

export interface Timing {
  wallMs: number;
  /** User plus system CPU time of the command, all its threads and children. */
  cpuMs: number;
  /** Peak resident set of a node command, KiB; undefined for other programs. */
  peakRssKiB: number | undefined;
}

/**
 * A node command reports its own peak RSS and CPU time on fd 3 as it
 * exits: the figures `/usr/bin/time -v` gives, without needing GNU time.
 */
const REPORT_USAGE = `data:text/javascript,${encodeURIComponent(
  'import{writeSync}from"node:fs";process.on("exit",()=>{const u=process.resourceUsage();' +
    "try{writeSync(3,`${u.maxRSS} ${(u.userCPUTime+u.systemCPUTime)/1000}`)}catch{}});",
)}`;
/** Other commands run under bash, whose `times` reports its children's CPU time. */
const REPORT_CHILD_TIMES = '"$@" >/dev/null; times >&3';

/** Runs a command with its output thrown away; times it wall-clock and in CPU. */
export function timeCommand(command: string, args: readonly string[]): Timing {
  const isNode = command === process.execPath;
  const [program, argv] = isNode
    ? [command, ["--import", REPORT_USAGE, ...args]]
    : ["bash", ["-c", REPORT_CHILD_TIMES, "bash", command, ...args]];
  const devNull = openSync("/dev/null", "w");
  try {
    const started = performance.now();
    const result = spawnSync(program, argv, { stdio: ["ignore", devNull, "pipe", "pipe"] });
    const wallMs = performance.now() - started;
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
    }
    const report = result.output[3]?.toString() ?? "";
    return isNode
      ? nodeUsage(wallMs, report)
      : { wallMs, cpuMs: childTimes(report), peakRssKiB: undefined };
  } finally {
    closeSync(devNull);
  }
}

function nodeUsage(wallMs: number, report: string): Timing {
  const [rss, cpu] = report.split(" ").map(Number);
  return { wallMs, cpuMs: cpu ?? NaN, peakRssKiB: rss };
}

/** The children's user and system time from bash's `times`: its second line. */
function childTimes(report: string): number {
  const line = report.trim().split("\n")[1] ?? "";
  const seconds = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map(
    ([, m, s]) => Number(m) * 60 + Number(s),
  );
  return seconds.reduce((sum, value) => sum + value, 0) * 1000;
}

/** The median wall and CPU time of several runs of one command; the peak RSS is the highest seen. */
export function medianTiming(timings: readonly Timing[]): Timing {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const rss = Math.max(...timings.map((timing) => timing.peakRssKiB ?? 0));
  return {
    wallMs: median(timings.map((timing) => timing.wallMs)),
    cpuMs: median(timings.map((timing) => timing.cpuMs)),
    peakRssKiB: rss || undefined,
  };
}
