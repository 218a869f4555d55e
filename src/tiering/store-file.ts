import type PQueue from "p-queue";
import type { CatalogEntry } from "../catalog/catalog.js";
import { errorMessage } from "../errors.js";
import type { Candidate } from "../scan/candidate.js";
import { contentTypeOf } from "../storage/content-type.js";
import type { TargetStorage } from "../storage/target-storage.js";
import { uploadFile, type UploadedObject } from "../storage/upload-file.js";
import { proveByHead } from "../storage/upload-proof.js";
import { finishFile } from "./finish-file.js";
import { withRetries } from "./retry.js";
import type { RunContext } from "./run-context.js";

/** Marks a file `uploading`; its row then records where its bytes will be. */
export function uploadingRow(
  candidate: Candidate,
  storage: TargetStorage,
  runId: string,
): CatalogEntry {
  const { policy } = candidate;
  return {
    root: candidate.root,
    path: candidate.path,
    state: "uploading",
    size: candidate.size,
    mtimeMs: candidate.mtimeMs,
    mode: candidate.mode,
    sha256: null,
    target: policy.target,
    bucket: storage.target.bucket,
    key: policy.prefix + candidate.path,
    offset: null,
    length: null,
    etag: null,
    storageClass: policy.storageClass,
    policy: policy.name,
    runId,
    manifestKey: null,
    updatedAt: Date.now(),
  };
}

/**
 * Steps 1 and 2 for a file stored as its own object: once its `uploading`
 * row is committed, upload it (only the PUT holds a slot of `puts`), prove
 * it in the bucket, and record it `stored`. Then steps 3-5 go on aside.
 * A file that fails keeps its local copy and loses its row.
 */
export async function storeFile(
  run: RunContext,
  candidate: Candidate,
  row: CatalogEntry,
  recorded: Promise<void>,
  puts: PQueue,
): Promise<void> {
  const storage = run.deps.storage.get(candidate.policy.target);
  let uploaded: UploadedObject;
  try {
    await recorded;
    uploaded = await withRetries(
      () => uploadAndProve(run, candidate, row, storage, puts),
      run.signal,
    );
  } catch (error) {
    await run.deps.catalog.deleteMany([row]).catch(() => {});
    if (!run.signal?.aborted) run.fail(candidate.absolutePath, errorMessage(error));
    return;
  }
  const fields = { size: uploaded.size, sha256: uploaded.sha256, etag: uploaded.expectedEtag };
  await run.stateChanges.add({ root: row.root, path: row.path, state: "stored", fields });
  run.counts.stored++;
  run.counts.bytes += uploaded.size;
  run.track(
    finishFile(run, { ...row, ...fields, state: "stored", updatedAt: Date.now() }, candidate),
  );
}

async function uploadAndProve(
  run: RunContext,
  candidate: Candidate,
  row: CatalogEntry,
  storage: TargetStorage,
  puts: PQueue,
): Promise<UploadedObject> {
  const { target, client, prover } = storage;
  const policy = candidate.policy;
  const uploaded = await puts.add(() =>
    uploadFile(storage, {
      bucket: target.bucket,
      key: row.key,
      file: candidate.absolutePath,
      size: candidate.size,
      contentType: contentTypeOf(candidate.path),
      storageClass: row.storageClass,
      metadata: {
        mtimeMs: row.mtimeMs,
        mode: row.mode,
        root: row.root,
        path: row.path,
        policy: row.policy,
      },
      checksums: target.checksums,
      multipartThreshold: target.multipartThreshold,
      partSize: target.partSize,
      maxParts: target.maxParts,
      throttle: policy.limits.bandwidth ? (bytes) => run.throttle(policy, bytes) : undefined,
      signal: run.signal,
    }),
  );
  const expected = { key: row.key, size: uploaded.size, etag: uploaded.expectedEtag };
  await (uploaded.parts > 0
    ? proveByHead(client, target.bucket, expected)
    : prover.prove(expected));
  return uploaded;
}
