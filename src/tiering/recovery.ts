import { existsSync } from "node:fs";
import { join } from "node:path";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { IN_BUCKET, type Catalog, type CatalogEntry } from "../catalog/catalog.js";
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
  const objects = new Map<string, CatalogEntry>(
    uploading.map((row) => [`${row.target}\u0000${row.key}`, row]),
  );
  for (const row of objects.values()) await abandonUpload(context, row);
  await context.catalog.deleteMany(uploading);
  report.restarted = uploading.length;
  const stored = rows.filter((row) => row.state === "stored");
  // Members of one pack share one proof.
  const proofs = new Map<string, Promise<boolean>>();
  const proven = (row: CatalogEntry) => {
    const id = `${row.target}\u0000${row.key}\u0000${row.etag}`;
    if (!proofs.has(id)) proofs.set(id, stillProven(context, row));
    return proofs.get(id)!;
  };
  await Promise.all(stored.map((row) => finishStored(context, row, report, proven)));
  if (rows.length > 0) {
    context.log.info(
      { restarted: report.restarted, finished: report.finished },
      "recovered an unfinished run",
    );
  }
  return report;
}

/**
 * Aborts what a killed upload left of an object. A pack that completed but
 * was never proven is deleted too, unless a proven row uses that key: packs
 * are named per run, so nothing else can be in it. A plain object is left:
 * its key is the file's own, and it may hold an earlier archived version.
 */
async function abandonUpload(context: RecoveryContext, row: CatalogEntry): Promise<void> {
  const { client, target } = context.storage.get(row.target);
  const aborted = await abortMultipartUploads(client, target.bucket, row.key);
  let deleted = false;
  if (row.offset !== null) {
    const proven = await context.catalog.count({ key: row.key, states: IN_BUCKET });
    if (proven === 0) {
      await client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: row.key }));
      deleted = true;
    }
  }
  context.log.debug(
    { key: row.key, aborted, deleted },
    "unfinished upload dropped; its files will be taken again",
  );
}

async function finishStored(
  context: RecoveryContext,
  row: CatalogEntry,
  report: RecoveryReport,
  proven: (row: CatalogEntry) => Promise<boolean>,
): Promise<void> {
  const rootDir = context.roots[row.root];
  const policy = context.policies.get(row.policy);
  const fail = (reason: string) => {
    report.failures.push({
      path: rootDir ? join(rootDir, row.path) : `${row.root}/${row.path}`,
      reason,
    });
    context.log.error({ root: row.root, path: row.path, reason }, "could not finish a stored file");
  };
  if (!rootDir) return fail(`root "${row.root}" is no longer in the config`);
  const absolutePath = join(rootDir, row.path);
  try {
    if (!(await proven(row))) {
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

/** Whether the bucket still shows the object the row recorded (pack members: their pack, by ETag). */
async function stillProven(context: RecoveryContext, row: CatalogEntry): Promise<boolean> {
  const { client } = context.storage.get(row.target);
  const size = row.offset === null ? row.size : undefined;
  try {
    await proveByHead(client, row.bucket, { key: row.key, size, etag: row.etag ?? "" });
    return true;
  } catch (error) {
    if (error instanceof ProofError) return false;
    throw error;
  }
}
