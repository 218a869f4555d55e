import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import { sampleContent } from "../support/sample-tree.js";
import type { DemoPaths } from "./demo-config.js";

/** Runs a givre command, printing it and its output; returns the output. */
export type RunGivre = (args: string[]) => string;

interface RestoreSummary {
  counts: { restored: number; failed: number; conflicts: number };
}

/**
 * The admin's side: `givre verify` proves the bucket whole, then the radar
 * images come back to disk with `givre restore`, and each restored file is
 * compared with the original: bytes and mtime.
 */
export async function verifyAndRestore(run: RunGivre, paths: DemoPaths): Promise<number> {
  const config = ["--config", paths.configFile];
  run([...config, "verify", "--deep"]);
  const expected = await archivedUnder(paths, "radar/");
  const report = JSON.parse(run([...config, "restore", "data/radar", "--json"])) as RestoreSummary;
  const { restored, failed, conflicts } = report.counts;
  if (failed + conflicts > 0 || restored !== expected.length) {
    throw new Error(
      `restore brought back ${restored} of ${expected.length} radar files ` +
        `(${failed} failed, ${conflicts} in the way)`,
    );
  }
  for (const { path, size, mtimeMs } of expected) {
    const file = join(paths.dataDir, path);
    if (!readFileSync(file).equals(sampleContent(path, size))) {
      throw new Error(`${file}: restored bytes differ from the original`);
    }
    if (statSync(file).mtimeMs !== mtimeMs) throw new Error(`${file}: mtime not restored`);
  }
  process.stdout.write(`... ${restored} restored files equal their originals, mtimes included\n`);
  return restored;
}

async function archivedUnder(
  paths: DemoPaths,
  prefix: string,
): Promise<{ path: string; size: number; mtimeMs: number }[]> {
  const catalog = new SqliteCatalog(join(paths.stateDir, "catalog.db"), { readonly: true });
  try {
    const entries = [];
    for await (const entry of catalog.select({ states: ["archived"] })) {
      if (entry.path.startsWith(prefix)) entries.push(entry);
    }
    return entries;
  } finally {
    await catalog.close();
  }
}
