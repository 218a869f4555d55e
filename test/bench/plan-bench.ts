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

const RUNS = 3;
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
    const timings = alternate([find, plan, json]);
    const [findTime, planTime, jsonTime] = timings.map(medianTiming) as [Timing, Timing, Timing];
    const files = context.tree.files;
    context.print(
      `find ROOT -type f -mtime +${FIND_DAYS}: ${seconds(findTime)} (median of ${RUNS})`,
    );
    const met = [planTime, jsonTime].map((timing, i) => {
      const label = i === 0 ? "givre plan" : "givre plan --json";
      const ratio = timing.wallMs / findTime.wallMs;
      const rate = Math.round(files / (timing.wallMs / 1000)).toLocaleString("en-US");
      const rss = ((timing.peakRssKiB ?? 0) / 1024).toFixed(1);
      context.print(
        `${label}: ${seconds(timing)}, ${ratio.toFixed(2)}x find, ${rate} files/s, peak RSS ${rss} MiB`,
      );
      return ratio <= MAX_RATIO && (timing.peakRssKiB ?? Infinity) < MAX_PEAK_RSS_KiB;
    });
    const ok = met.every(Boolean);
    context.print(`target (<= ${MAX_RATIO}x find, < 256 MiB): ${ok ? "met" : "MISSED"}`);
    return ok;
  },
};

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

function seconds(timing: Timing): string {
  return `${(timing.wallMs / 1000).toFixed(2)} s`;
}
