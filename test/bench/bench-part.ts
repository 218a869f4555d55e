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
  /** Peak resident set of a node child, KiB; undefined for other programs. */
  peakRssKiB: number | undefined;
}

/**
 * A node child reports its own peak RSS on fd 3 as it exits: the same
 * figure as `/usr/bin/time -v`, without depending on GNU time.
 */
const REPORT_PEAK_RSS = `data:text/javascript,${encodeURIComponent(
  'import{writeSync}from"node:fs";' +
    'process.on("exit",()=>{try{writeSync(3,String(process.resourceUsage().maxRSS))}catch{}});',
)}`;

/** Runs a command with its output thrown away, and times it wall-clock. */
export function timeCommand(command: string, args: readonly string[]): Timing {
  const isNode = command === process.execPath;
  const argv = isNode ? ["--import", REPORT_PEAK_RSS, ...args] : args;
  const devNull = openSync("/dev/null", "w");
  try {
    const started = performance.now();
    const result = spawnSync(command, argv, {
      stdio: ["ignore", devNull, "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
    const wallMs = performance.now() - started;
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
    }
    const rss = result.output[3]?.toString();
    return { wallMs, peakRssKiB: rss ? Number(rss) : undefined };
  } finally {
    closeSync(devNull);
  }
}

/** The median of several timings of the same command; the peak RSS is the highest seen. */
export function medianTiming(timings: readonly Timing[]): Timing {
  const walls = timings.map((timing) => timing.wallMs).sort((a, b) => a - b);
  const rss = timings.map((timing) => timing.peakRssKiB ?? 0);
  const peak = Math.max(...rss);
  return { wallMs: walls[Math.floor(walls.length / 2)]!, peakRssKiB: peak || undefined };
}
