import { errorMessage } from "../errors.js";
import { finishFile } from "./finish-file.js";
import { PackAssembler, type PackMember, type StoredPack } from "./pack-assembler.js";
import type { RunContext } from "./run-context.js";
import { uploadingRow } from "./store-file.js";

/** The run's pack assembler: stored packs send their members on to steps 3-5. */
export function runPacks(run: RunContext): PackAssembler {
  return new PackAssembler({
    storageFor: (policy) => run.deps.storage.get(policy.target),
    runId: run.id,
    recordRow: (row) => run.newRows.add(row),
    rowOf: (candidate, storage) => uploadingRow(candidate, storage, run.id),
    throttle: (policy, bytes) => run.throttle(policy, bytes),
    onStored: (pack) => run.track(membersStored(run, pack)),
    onFailed: (members, error) => run.track(membersFailed(run, members, error)),
    onChanged: (candidate, error) => {
      run.counts.changed++;
      run.log.warn(
        { path: `${candidate.root}/${candidate.path}`, reason: error.message },
        "file changed before it was packed; it stays",
      );
    },
    onFileFailed: (candidate, error) => {
      if (!run.signal?.aborted) run.fail(candidate.absolutePath, errorMessage(error));
    },
    signal: run.signal,
  });
}

async function membersStored(run: RunContext, pack: StoredPack): Promise<void> {
  run.counts.packs++;
  run.log.debug({ key: pack.key, members: pack.members.length, size: pack.size }, "pack stored");
  const stored = pack.members.map(({ row, sha256 }) => ({
    ...row,
    state: "stored" as const,
    sha256,
    etag: pack.etag,
  }));
  await Promise.all(
    stored.map((entry) =>
      run.stateChanges.add({
        root: entry.root,
        path: entry.path,
        state: "stored",
        fields: { sha256: entry.sha256, etag: entry.etag },
      }),
    ),
  );
  for (const [index, entry] of stored.entries()) {
    run.counts.stored++;
    run.counts.bytes += entry.size;
    run.track(finishFile(run, entry, pack.members[index]!.candidate));
  }
}

/** A pack that did not make it: no member is removed, and no row points at it. */
async function membersFailed(
  run: RunContext,
  members: readonly PackMember[],
  error: unknown,
): Promise<void> {
  // A member's row may still wait in the insert batch: write it first, or
  // the batch would bring it back after the delete.
  await run.newRows.flush().catch(() => {});
  await run.deps.catalog.deleteMany(members.map(({ row }) => row)).catch(() => {});
  if (run.signal?.aborted) return;
  for (const { row } of members) {
    run.fail(`${row.root}/${row.path}`, `its pack failed: ${errorMessage(error)}`);
  }
}
