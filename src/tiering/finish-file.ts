import type { CatalogEntry } from "../catalog/catalog.js";
import { errorMessage } from "../errors.js";
import { manifestLineOf } from "../manifest/manifest-line.js";
import type { Candidate } from "../scan/candidate.js";
import { freeLocalCopy, stateAfter } from "./free-local-copy.js";
import type { RunContext } from "./run-context.js";

/**
 * Steps 3 to 5 for a stored file (a plain object or a pack member): its
 * manifest line into the bucket, the local file stat'ed again, then freed.
 * Runs outside the upload slots: waiting for a manifest segment to flush
 * must not hold up other uploads.
 */
export async function finishFile(
  run: RunContext,
  entry: CatalogEntry,
  candidate: Candidate,
): Promise<void> {
  const path = candidate.absolutePath;
  const { policy } = candidate;
  try {
    const storage = run.deps.storage.get(policy.target);
    await run.manifests.for(policy.name, policy.prefix, storage).append(manifestLineOf(entry));
    const outcome = await freeLocalCopy(candidate.absolutePath, candidate, policy.action);
    if (outcome === "changed") {
      run.counts.changed++;
      run.log.warn({ path }, "file changed during its upload; it stays and will be taken again");
    } else {
      await run.stateChanges.add({
        root: entry.root,
        path: entry.path,
        state: stateAfter(outcome),
      });
      run.counts[policy.action === "copy" ? "copied" : "archived"]++;
    }
    run.progress();
  } catch (error) {
    run.fail(path, errorMessage(error));
  }
}
