/**
 * `npm run bench`: builds one tree laid out like the site (or reuses the
 * one left by an earlier run), then runs each part against it in order.
 * GIVRE_BENCH_FILES sets the tree's size (default 1,000,000),
 * GIVRE_BENCH_DIR where it lives (default /tmp/givre-bench). Exits 1 when
 * a part misses its target. Figures are wall-clock on this machine; the
 * test suites never assert times.
 */
import { join } from "node:path";
import type { BenchContext, BenchPart } from "./bench-part.js";
import { stopBenchGateway } from "./bench-gateway.js";
import { lookupBench } from "./lookup-bench.js";
import { planBench } from "./plan-bench.js";
import { restoreBench } from "./restore-bench.js";
import { packBench, runBench } from "./run-bench.js";
import { ensureSiteTree } from "./site-tree.js";

/** In order: the restore part restores what the run part archived. */
const PARTS: readonly BenchPart[] = [planBench, runBench, packBench, restoreBench, lookupBench];
const DEFAULT_FILES = 1_000_000;

async function main(): Promise<void> {
  const files = Number(process.env.GIVRE_BENCH_FILES ?? DEFAULT_FILES);
  if (!Number.isSafeInteger(files) || files < 1000) {
    throw new Error(`GIVRE_BENCH_FILES: expected a whole number of at least 1000, found ${files}`);
  }
  const dir = process.env.GIVRE_BENCH_DIR ?? "/tmp/givre-bench";
  const started = performance.now();
  const tree = await ensureSiteTree(dir, files);
  const took = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`bench: tree of ${count(tree.files)} files under ${tree.root} (ready in ${took} s)`);
  console.log(
    `bench: ${count(tree.radar)} radar images, ${count(tree.tiles)} tiles, ${count(tree.archives)} archives`,
  );
  const repo = join(import.meta.dirname, "../..");
  let ok = true;
  // GIVRE_BENCH_PARTS=run,run-pack runs only those parts.
  const wanted = process.env.GIVRE_BENCH_PARTS?.split(",");
  try {
    for (const part of PARTS.filter((p) => !wanted || wanted.includes(p.name))) {
      const context: BenchContext = {
        tree,
        dir,
        givre: join(repo, "dist/cli/main.js"),
        policies: join(repo, "policies"),
        print: (line) => console.log(`${part.name}: ${line}`),
      };
      if (!(await part.run(context))) ok = false;
    }
  } finally {
    // A gateway holds everything uploaded in memory: never leave one behind.
    await stopBenchGateway();
  }
  if (!ok) process.exitCode = 1;
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}

try {
  await main();
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
}
