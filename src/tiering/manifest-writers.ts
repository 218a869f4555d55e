import type { Logger } from "../log/logger.js";
import { ManifestWriter } from "../manifest/manifest-writer.js";
import type { TargetStorage } from "../storage/target-storage.js";
import type { RunDeps } from "./run-context.js";

/**
 * One manifest writer per policy in a run. When a segment is proven in
 * the bucket, its rows get the segment's key: from then on they may be
 * freed locally, and recovery knows their line is safe.
 */
export class ManifestWriters {
  readonly #runId: string;
  readonly #deps: RunDeps;
  readonly #log: Logger;
  readonly #writers = new Map<string, ManifestWriter>();

  constructor(runId: string, deps: RunDeps, log: Logger) {
    this.#runId = runId;
    this.#deps = deps;
    this.#log = log;
  }

  for(policy: string, prefix: string, storage: TargetStorage): ManifestWriter {
    let writer = this.#writers.get(policy);
    if (writer) return writer;
    const { config, catalog } = this.#deps;
    writer = new ManifestWriter({
      client: storage.client,
      bucket: storage.target.bucket,
      prefix,
      policy,
      runId: this.#runId,
      stateDir: config.stateDir,
      flushFiles: config.manifests.flushFiles,
      flushInterval: config.manifests.flushInterval,
      log: this.#log,
      onSegmentStored: (manifestKey, lines) =>
        catalog.updateMany(
          lines.map((line) => ({
            root: line.root,
            path: line.path,
            state: "stored",
            fields: { manifestKey },
          })),
        ),
    });
    this.#writers.set(policy, writer);
    return writer;
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.#writers.values()].map((writer) => writer.flush()));
  }
}
