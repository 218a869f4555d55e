import { GetObjectTaggingCommand } from "@aws-sdk/client-s3";
import PQueue from "p-queue";
import { IN_BUCKET, type Catalog, type CatalogEntry } from "../catalog/catalog.js";
import type { GivreConfig } from "../config/config.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { isColdRefusal } from "../storage/direct-read.js";
import type { ReadAccess } from "../storage/read-access.js";
import type { StorageRegistry } from "../storage/target-storage.js";
import { isColdClass } from "../storage/thaw.js";
import { deepCheck } from "./deep-check.js";
import { listFolderRange } from "./folder-listing.js";
import { checkSeen, checkTag, isMultipart, pathsOf, type ObjectGroup } from "./object-check.js";
import { emptyVerifyReport, type VerifyProblem, type VerifyReport } from "./verify-report.js";

/** Entries checked together: objects are grouped (packs, folders) within one chunk. */
const CHUNK = 5000;

export interface VerifyOptions {
  /** Download and re-hash every checked file. Default false. */
  deep?: boolean;
  /** Check a random sample of this many files instead of all. */
  sample?: number;
  policy?: string;
  /** Listings only (exists, size, ETag): no HEAD, so no metadata check. Default false. */
  quick?: boolean;
  signal?: AbortSignal;
  /** Called after each chunk with the entries checked so far. */
  onProgress?: (entries: number) => void;
}

export interface VerifyDeps {
  config: GivreConfig;
  catalog: Catalog;
  storage: StorageRegistry;
  access: ReadAccess;
  log: Logger;
}

/**
 * `givre verify`: does the bucket still hold what the catalog says? Every
 * (or a sample of) entry in a state whose bytes should be in the bucket is
 * checked: the object exists, with the recorded size and ETag and givre's
 * metadata (the SHA-256 in `x-amz-meta-givre-sha256`, or in the
 * `givre-sha256` tag of a multipart object). A pack is checked once for
 * all its members. --deep reads the bytes and hashes each file.
 */
export class Verifier {
  readonly #deps: VerifyDeps;
  readonly #options: VerifyOptions;
  readonly #report = emptyVerifyReport();
  readonly #packsSeen = new Set<string>();
  readonly #queue: PQueue;

  constructor(deps: VerifyDeps, options: VerifyOptions = {}) {
    this.#deps = deps;
    this.#options = options;
    const widest = Math.max(1, ...Object.values(deps.config.targets).map((t) => t.concurrency));
    this.#queue = new PQueue({ concurrency: widest });
  }

  async execute(): Promise<VerifyReport> {
    const started = Date.now();
    let chunk: CatalogEntry[] = [];
    for await (const entry of this.#entries()) {
      if (this.#options.signal?.aborted) break;
      chunk.push(entry);
      if (chunk.length < CHUNK) continue;
      await this.#checkChunk(chunk);
      chunk = [];
    }
    await this.#checkChunk(chunk);
    this.#report.problems.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.#report.elapsedMs = Date.now() - started;
    return this.#report;
  }

  #entries(): AsyncIterable<CatalogEntry> {
    const states = IN_BUCKET.filter((state) => state !== "stored");
    const all = this.#deps.catalog.select({ policy: this.#options.policy, states });
    return this.#options.sample === undefined ? all : sampleOf(all, this.#options.sample);
  }

  async #checkChunk(entries: CatalogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.#report.entries += entries.length;
    const groups = groupByObject(entries);
    this.#report.objects += groups.filter((group) => !this.#packsSeen.has(idOf(group))).length;
    const shallow = groups.filter((group) => !group.isPack || !this.#packsSeen.has(idOf(group)));
    groups.filter((group) => group.isPack).forEach((group) => this.#packsSeen.add(idOf(group)));
    if (this.#options.quick) await this.#listGroups(shallow);
    else shallow.forEach((group) => void this.#queue.add(() => this.#headGroup(group)));
    if (this.#options.deep) {
      groups.forEach((group) => void this.#queue.add(() => this.#deepGroup(group)));
    }
    await this.#queue.onIdle();
    this.#options.onProgress?.(this.#report.entries);
  }

  async #headGroup(group: ObjectGroup): Promise<void> {
    try {
      const head = await this.#deps.access.reader(group.target, group.bucket).head(group.key);
      this.#report.requests.heads++;
      this.#add(checkSeen(group, head));
      if (head && !group.isPack && isMultipart(group.entries[0]!)) {
        this.#add(checkTag(group, await this.#tagOf(group)));
      }
    } catch (error) {
      this.#add([unreadable(group, error)]);
    }
  }

  async #tagOf(group: ObjectGroup): Promise<string | undefined> {
    const { client } = this.#deps.storage.get(group.target);
    this.#report.requests.tags++;
    const tags = await client.send(
      new GetObjectTaggingCommand({ Bucket: group.bucket, Key: group.key }),
    );
    return tags.TagSet?.find((tag) => tag.Key === "givre-sha256")?.Value;
  }

  /** --quick: one listing per folder range; a key the listing misses is HEADed before it counts as missing. */
  async #listGroups(groups: ObjectGroup[]): Promise<void> {
    const folders = new Map<string, ObjectGroup[]>();
    for (const group of groups) {
      const folder = group.key.slice(0, group.key.lastIndexOf("/") + 1);
      const id = `${group.target}\0${group.bucket}\0${folder}`;
      folders.set(id, [...(folders.get(id) ?? []), group]);
    }
    for (const [id, members] of folders) {
      const [target, bucket, folder] = id.split("\0") as [string, string, string];
      try {
        const { client } = this.#deps.storage.get(target);
        const keys = members.map((group) => group.key);
        const { seen, requests } = await listFolderRange(client, bucket, folder, keys);
        this.#report.requests.listings += requests;
        for (const group of members) {
          const found = seen.get(group.key);
          if (found) this.#add(checkSeen(group, found));
          else void this.#queue.add(() => this.#headGroup(group));
        }
      } catch (error) {
        this.#add(members.map((group) => unreadable(group, error)));
      }
    }
  }

  async #deepGroup(group: ObjectGroup): Promise<void> {
    const cold = this.#deps.config.restore.coldStorageClasses;
    if (isColdClass(group.entries[0]!.storageClass, cold)) {
      this.#report.coldNotRead++;
      return;
    }
    try {
      const reader = this.#deps.access.reader(group.target, group.bucket);
      const { problems, gets } = await deepCheck(reader, group, this.#options.signal);
      this.#report.requests.gets += gets;
      this.#add(problems);
    } catch (error) {
      if (isColdRefusal(error)) this.#report.coldNotRead++;
      // A missing object is already reported by the shallow check.
      else if (!isNotFound(error)) this.#add([unreadable(group, error)]);
    }
  }

  #add(problems: VerifyProblem[]): void {
    for (const problem of problems) {
      this.#report.problems.push(problem);
      this.#deps.log.warn(
        { kind: problem.kind, key: problem.key, detail: problem.detail },
        "object does not match the catalog",
      );
    }
  }
}

function groupByObject(entries: CatalogEntry[]): ObjectGroup[] {
  const groups = new Map<string, ObjectGroup>();
  for (const entry of entries) {
    const group: ObjectGroup = {
      target: entry.target,
      bucket: entry.bucket,
      key: entry.key,
      entries: [],
      isPack: entry.offset !== null,
    };
    const id = idOf(group);
    const existing = groups.get(id) ?? group;
    existing.entries.push(entry);
    groups.set(id, existing);
  }
  return [...groups.values()];
}

function idOf(group: Pick<ObjectGroup, "target" | "bucket" | "key">): string {
  return `${group.target}\0${group.bucket}\0${group.key}`;
}

function unreadable(group: ObjectGroup, error: unknown): VerifyProblem {
  return { kind: "unreadable", paths: pathsOf(group), key: group.key, detail: errorMessage(error) };
}

function isNotFound(error: unknown): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
}

/** A uniform random sample of `size` items of a stream (reservoir sampling), in stream order. */
async function* sampleOf<T>(items: AsyncIterable<T>, size: number): AsyncIterable<T> {
  const kept: { item: T; index: number }[] = [];
  let seen = 0;
  for await (const item of items) {
    if (kept.length < size) kept.push({ item, index: seen });
    else {
      const slot = Math.floor(Math.random() * (seen + 1));
      if (slot < size) kept[slot] = { item, index: seen };
    }
    seen++;
  }
  yield* kept.sort((a, b) => a.index - b.index).map((kept) => kept.item);
}
