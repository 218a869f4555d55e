import { join } from "node:path";

/** Manifests live beside the objects they describe, under the policy's prefix. */
export const MANIFEST_FOLDER = ".givre/manifests/";

/** `<prefix>.givre/manifests/<policy>/<run>/<seq>.jsonl` in the bucket. */
export function manifestKey(
  prefix: string,
  policy: string,
  runId: string,
  sequence: number,
): string {
  return `${prefix}${MANIFEST_FOLDER}${policy}/${runId}/${segmentName(sequence)}`;
}

/** `<state_dir>/manifests/<policy>/<run>/<seq>.jsonl` on the local disk. */
export function localManifestPath(
  stateDir: string,
  policy: string,
  runId: string,
  sequence: number,
): string {
  return join(stateDir, "manifests", policy, runId, segmentName(sequence));
}

function segmentName(sequence: number): string {
  return `${String(sequence).padStart(6, "0")}.jsonl`;
}
