import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { GivreConfig, TargetConfig } from "../config/config.js";
import { UsageError } from "../errors.js";
import { DirectPut } from "./direct-put.js";
import { createS3Client } from "./s3-client.js";
import { targetFailure } from "./storage-errors.js";
import { ListingProver } from "./upload-proof.js";

export interface TargetStorage {
  target: TargetConfig;
  client: S3Client;
  /** The small-file PUT path, sharing the client's credentials. */
  direct: DirectPut;
  prover: ListingProver;
}

/** One client (and one listing prover) per target, made on first use. */
export class StorageRegistry {
  readonly #config: GivreConfig;
  readonly #storages = new Map<string, TargetStorage>();

  constructor(config: GivreConfig) {
    this.#config = config;
  }

  get(name: string): TargetStorage {
    let storage = this.#storages.get(name);
    if (storage) return storage;
    const target = this.#config.targets[name];
    if (!target) {
      throw new UsageError("TARGET_UNKNOWN", `no target "${name}" in ${this.#config.file}`, {
        hint: `add it under targets:, or fix the policy that names it`,
      });
    }
    const client = createS3Client(target);
    const direct = new DirectPut(target, () => client.config.credentials());
    storage = { target, client, direct, prover: new ListingProver(client, target.bucket) };
    this.#storages.set(name, storage);
    return storage;
  }

  /** Fails fast (exit 4) when a target cannot be used at all, before any file is touched. */
  async preflight(names: Iterable<string>): Promise<void> {
    for (const name of new Set(names)) {
      const { target, client } = this.get(name);
      try {
        await client.send(new ListObjectsV2Command({ Bucket: target.bucket, MaxKeys: 1 }));
      } catch (error) {
        throw targetFailure(target, error) ?? error;
      }
    }
  }

  destroy(): void {
    for (const storage of this.#storages.values()) {
      storage.client.destroy();
      storage.direct.destroy();
    }
    this.#storages.clear();
  }
}
