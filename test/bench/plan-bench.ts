/**
 * `givre plan` against GNU find on the same tree, in the same run, warm
 * cache: `find ROOT -type f -mtime +30` stats every file, as a plan must
 * for the files its globs match. Targets: plan within 2x find's wall
 * time, peak RSS under 256 MiB.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  medianTiming,
  timeCommand,
  type BenchContext,
  type BenchPart,
  type Timing,
} from "./bench-part.js";

/** Rounds of runs; the machine may be busy with other work, and medians smooth that. */
const RUNS = 5;
const MAX_RATIO = 2;
const MAX_PEAK_RSS_KiB = 256 * 1024;
/** Days in `find -mtime +N`: the radar policy's 30d. */
const FIND_DAYS = 30;

export const planBench: BenchPart = {
  name: "plan",
  async run(context) {
    const config = writeConfig(context);
    const find = ["find", [context.tree.root, "-type", "f", "-mtime", `+${FIND_DAYS}`]] as const;
    const plan = [process.execPath, [context.givre, "--config", config, "plan"]] as const;
    const json = [process.execPath, [context.givre, "--config", config, "plan", "--json"]] as const;
    // Warm the page cache and dentry cache once for both before timing anything.
    timeCommand(...find);
    timeCommand(...plan);
    const [findTime, planTime, jsonTime] = alternate([find, plan, json]).map(medianTiming) as [
      Timing,
      Timing,
      Timing,
    ];
    context.print(
      `find ROOT -type f -mtime +${FIND_DAYS}: ${seconds(findTime.wallMs)}, ` +
        `CPU ${seconds(findTime.cpuMs)} (medians of ${RUNS} runs)`,
    );
    context.print(`givre plan: ${against(planTime, findTime, context.tree.files)}`);
    context.print(`givre plan --json: ${against(jsonTime, findTime, context.tree.files)}`);
    const ratio = planTime.wallMs / findTime.wallMs;
    const ok = ratio <= MAX_RATIO && (planTime.peakRssKiB ?? Infinity) < MAX_PEAK_RSS_KiB;
    context.print(
      `target for givre plan (<= ${MAX_RATIO}x find, < 256 MiB): ${ok ? "met" : "MISSED"}`,
    );
    return ok;
  },
};

/** Wall time, ratio to find, files per second, CPU time and its ratio, peak RSS. */
function against(timing: Timing, find: Timing, files: number): string {
  const rate = Math.round(files / (timing.wallMs / 1000)).toLocaleString("en-US");
  const rss = ((timing.peakRssKiB ?? 0) / 1024).toFixed(1);
  return (
    `${seconds(timing.wallMs)}, ${(timing.wallMs / find.wallMs).toFixed(2)}x find, ` +
    `${rate} files/s, CPU ${seconds(timing.cpuMs)} (${(timing.cpuMs / find.cpuMs).toFixed(2)}x find), ` +
    `peak RSS ${rss} MiB`
  );
}

/** Runs the commands in turn, RUNS rounds, so that drift on the machine hits all alike. */
function alternate(commands: readonly (readonly [string, readonly string[]])[]): Timing[][] {
  const timings: Timing[][] = commands.map(() => []);
  for (let round = 0; round < RUNS; round++) {
    commands.forEach(([command, args], i) => timings[i]!.push(timeCommand(command, args)));
  }
  return timings;
}

function writeConfig(context: BenchContext): string {
  const dir = join(context.dir, "plan");
  mkdirSync(join(dir, "state"), { recursive: true });
  const file = join(dir, "givre.yaml");
  writeFileSync(
    file,
    `state_dir: ${join(dir, "state")}
policies: ${context.policies}
roots:
  data: ${context.tree.root}
targets:
  archive:
    endpoint: http://127.0.0.1:9
    bucket: givre-bench
`,
  );
  return file;
}

function seconds(millis: number): string {
  return `${(millis / 1000).toFixed(2)} s`;
}
