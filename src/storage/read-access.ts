import { DirectRead, type ObjectReader } from "./direct-read.js";
import type { StorageRegistry } from "./target-storage.js";
import { SdkThawTransport, type ThawTransport } from "./thaw.js";

/** How restore, verify and rebuild reach objects: per target and bucket. */
export interface ReadAccess {
  reader(target: string, bucket: string): ObjectReader;
  thaw(target: string, bucket: string): ThawTransport;
}

/**
 * The production ReadAccess: direct GET/HEAD for bytes, the SDK for
 * thaws, sharing each target's client and credentials. A catalog row
 * names its bucket; it is used as recorded, with its target's endpoint.
 */
export class StorageReadAccess implements ReadAccess {
  readonly #storage: StorageRegistry;
  readonly #readers = new Map<string, DirectRead>();

  constructor(storage: StorageRegistry) {
    this.#storage = storage;
  }

  reader(target: string, bucket: string): DirectRead {
    const id = `${target}\0${bucket}`;
    let reader = this.#readers.get(id);
    if (!reader) {
      const { target: config, client } = this.#storage.get(target);
      reader = new DirectRead(config, bucket, () => client.config.credentials());
      this.#readers.set(id, reader);
    }
    return reader;
  }

  thaw(target: string, bucket: string): ThawTransport {
    return new SdkThawTransport(this.#storage.get(target).client, bucket);
  }

  destroy(): void {
    this.#readers.forEach((reader) => reader.destroy());
    this.#readers.clear();
  }
}
