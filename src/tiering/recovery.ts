import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Catalog, CatalogEntry } from "../catalog/catalog.js";
import type { Logger } from "../log/logger.js";
import type { ManifestWriter } from "../manifest/manifest-writer.js";
import { manifestLineOf } from "../manifest/manifest-line.js";
import type { Policy } from "../policy/policy.js";
import type { StorageRegistry } from "../storage/target-storage.js";
import { proveByHead } from "../storage/upload-proof.js";
import { errorMessage } from "../errors.js";
import { ProofError } from "../storage/upload-proof.js";
import { abortMultipartUploads } from "./abort-multipart.js";
import { freeLocalCopy, stateAfter, type LocalOutcome } from "./free-local-copy.js";

export interface RecoveryContext {
  catalog: Catalog;
  storage: StorageRegistry;
  roots: Readonly<Record<string, string>>;
  policies: ReadonlyMap<string, Policy>;
  log: Logger;
  /** This run's manifest writer for the row's policy and target, under `prefix`. */
  manifestFor: (row: CatalogEntry, prefix: string) => ManifestWriter;
}

export interface RecoveryReport {
  /** Rows left `uploading`: partial uploads aborted, rows dropped; the files are taken again. */
  restarted: number;
  /** Rows left `stored` that were finished now. */
  finished: Record<LocalOutcome, number>;
  failures: { path: string; reason: string }[];
}

/**
 * Finishes what a killed run left behind, before anything new is taken.
 * `uploading`: nothing is proven, so partial multipart uploads are aborted
 * and the row dropped; the local file is still there and is taken again.
 * `stored`: the object is proven again by HEAD, a manifest line is written
 * if its segment never reached the bucket, then the local copy is freed
 * exactly as in a normal run.
 */
export async function recoverUnfinished(context: RecoveryContext): Promise<RecoveryReport> {
  const report: RecoveryReport = {
    restarted: 0,
    finished: { archived: 0, copied: 0, changed: 0, gone: 0 },
    failures: [],
  };
  const rows: CatalogEntry[] = [];
  for await (const row of context.catalog.select({ states: ["uploading", "stored"] })) {
    rows.push(row);
  }
  const uploading = rows.filter((row) => row.state === "uploading");
  for (const row of uploading) await restartUpload(context, row);
  report.restarted = uploading.length;
  const stored = rows.filter((row) => row.state === "stored");
  await Promise.all(stored.map((row) => finishStored(context, row, report)));
  if (rows.length > 0) {
    context.log.info(
      { restarted: report.restarted, finished: report.finished },
      "recovered an unfinished run",
    );
  }
  return report;
}

async function restartUpload(context: RecoveryContext, row: CatalogEntry): Promise<void> {
  const { client, target } = context.storage.get(row.target);
  const aborted = await abortMultipartUploads(client, target.bucket, row.key);
  await context.catalog.deleteMany([row]);
  context.log.debug(
    { root: row.root, path: row.path, aborted },
    "unfinished upload dropped; the file will be taken again",
  );
}

async function finishStored(
  context: RecoveryContext,
  row: CatalogEntry,
  report: RecoveryReport,
): Promise<void> {
  const rootDir = context.roots[row.root];
  const policy = context.policies.get(row.policy);
  const fail = (reason: string) => {
    report.failures.push({ path: `${row.root}/${row.path}`, reason });
    context.log.error({ root: row.root, path: row.path, reason }, "could not finish a stored file");
  };
  if (!rootDir) return fail(`root "${row.root}" is no longer in the config`);
  const absolutePath = join(rootDir, row.path);
  try {
    if (!(await stillProven(context, row))) {
      if (!existsSync(absolutePath)) {
        return fail(`not in the bucket as recorded, and gone from ${absolutePath}`);
      }
      await context.catalog.deleteMany([row]);
      report.restarted++;
      return;
    }
    if (row.manifestKey === null) {
      await context.manifestFor(row, policy?.prefix ?? `${row.root}/`).append(manifestLineOf(row));
    }
    // A policy that is gone cannot say "archive": keep the local copy.
    const action = policy?.action ?? "copy";
    const outcome = await freeLocalCopy(absolutePath, row, action);
    if (outcome !== "changed") {
      await context.catalog.updateMany([
        { root: row.root, path: row.path, state: stateAfter(outcome) },
      ]);
    }
    report.finished[outcome]++;
  } catch (error) {
    fail(errorMessage(error));
  }
}

/** Whether the bucket still shows the object the row recorded (pack members: their pack). */
async function stillProven(context: RecoveryContext, row: CatalogEntry): Promise<boolean> {
  if (row.offset !== null) return true;
  const { client } = context.storage.get(row.target);
  try {
    await proveByHead(client, row.bucket, { key: row.key, size: row.size, etag: row.etag ?? "" });
    return true;
  } catch (error) {
    if (error instanceof ProofError) return false;
    throw error;
  }
}
