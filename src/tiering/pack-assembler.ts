import type { CatalogEntry } from "../catalog/catalog.js";
import { packGroupOf } from "../pack/pack-group.js";
import { PackWriter } from "../pack/pack-writer.js";
import type { Policy } from "../policy/policy.js";
import type { Candidate } from "../scan/candidate.js";
import { partSizeFor } from "../storage/part-size.js";
import type { TargetStorage } from "../storage/target-storage.js";
import { FileChangedError } from "../storage/upload-file.js";
import { proveByHead } from "../storage/upload-proof.js";
import { uploadStream, type StreamedObject } from "../storage/upload-stream.js";
import { ReadAhead } from "./read-ahead.js";
import { WholeFileReader, type WholeFile } from "./whole-file-reader.js";

/** Packs being written at once; with a depth-first walk, groups rarely interleave. */
const MAX_OPEN_PACKS = 4;
/** Parts of one pack in flight: memory per open pack is about this plus one, times the part size. */
const PACK_PARTS_IN_FLIGHT = 4;
/** Files read ahead of the tar, and their bytes: reads overlap, memory stays bounded. */
const READ_AHEAD_FILES = 64;
const READ_AHEAD_BYTES = 64 * 1024 * 1024;
/** Upper bound of a member's tar headers and padding (pax + ustar + padding). */
const MEMBER_OVERHEAD = 3 * 512;

export interface PackMember {
  candidate: Candidate;
  /** The member's row: key is the pack, offset and length where its data sits. */
  row: CatalogEntry;
  sha256: string;
}

/** A pack proven in the bucket, with its members. */
export interface StoredPack {
  key: string;
  etag: string;
  size: number;
  members: PackMember[];
}

export interface PackAssemblerDeps {
  storageFor: (policy: Policy) => TargetStorage;
  runId: string;
  /** Records a member's `uploading` row; resolves once it is committed. */
  recordRow: (row: CatalogEntry) => Promise<void>;
  /** The row a candidate would get, before pack fields are set. */
  rowOf: (candidate: Candidate, storage: TargetStorage) => CatalogEntry;
  throttle: (policy: Policy, bytes: number) => Promise<void>;
  onStored: (pack: StoredPack) => void;
  onFailed: (members: readonly PackMember[], error: unknown) => void;
  onChanged: (candidate: Candidate, error: FileChangedError) => void;
  /** A file that could not be read: it fails alone, its pack goes on. */
  onFileFailed: (candidate: Candidate, error: unknown) => void;
  signal?: AbortSignal;
}

interface OpenPack {
  key: string;
  policy: Policy;
  group: string;
  storage: TargetStorage;
  writer: PackWriter;
  upload: Promise<StreamedObject>;
  members: PackMember[];
  recorded: Promise<void>[];
  /** Files and bytes (with tar headers) assigned to this pack, written or not yet. */
  planned: { files: number; bytes: number };
  /** The chain of appends, in arrival order. */
  writing: Promise<void>;
  /** Set when the tar stream broke; later files fail without being written. */
  broken: unknown;
}

/**
 * Gathers small files into packs: plain tar archives streamed straight
 * into a multipart upload, one per group of a policy, closed at the
 * policy's max_size or max_files. Each member is read once: its bytes are
 * hashed and written into the tar. Before a pack is completed in the
 * bucket, every member's `uploading` row is committed; after, the pack is
 * proven by HEAD before any member goes on to its manifest line.
 */
export class PackAssembler {
  readonly #deps: PackAssemblerDeps;
  readonly #open = new Map<string, OpenPack>();
  readonly #closing = new Set<Promise<void>>();
  readonly #sequence = new Map<string, number>();
  readonly #readAhead = new ReadAhead(READ_AHEAD_FILES, READ_AHEAD_BYTES);
  /** Made on the first member, so a run without packs starts no threads. */
  #reader: WholeFileReader | undefined;

  constructor(deps: PackAssemblerDeps) {
    this.#deps = deps;
  }

  /** Whether a candidate goes into a pack rather than alone. */
  static qualifies(candidate: Candidate): boolean {
    const pack = candidate.policy.pack;
    return pack !== undefined && candidate.size < pack.smallerThan;
  }

  /**
   * Takes a file into its group's pack. The file is read (and hashed) at
   * once in a reader thread, but written into the tar in the order files
   * came (members of a pack are in walk order); the caller waits only
   * while too much is read ahead.
   */
  async add(candidate: Candidate): Promise<void> {
    await this.#readAhead.acquire(candidate.size);
    const pack = this.#packFor(candidate);
    this.#reader ??= new WholeFileReader();
    const reading = this.#reader.read(candidate.absolutePath, candidate.size);
    reading.catch(() => {});
    // #append settles every file itself (stored, failed, changed): the chain never rejects.
    pack.writing = pack.writing
      .then(() => this.#append(pack, candidate, reading))
      .finally(() => this.#readAhead.release(candidate.size));
  }

  async #append(pack: OpenPack, candidate: Candidate, reading: Promise<WholeFile>): Promise<void> {
    let file: WholeFile;
    try {
      file = await reading;
    } catch (error) {
      this.#deps.onFileFailed(candidate, error);
      return;
    }
    if (file.changed) {
      const error = new FileChangedError(candidate.absolutePath, candidate.size, file.size);
      this.#deps.onChanged(candidate, error);
      return;
    }
    if (pack.broken) return this.#deps.onFailed([this.#lone(candidate, pack)], pack.broken);
    const { data, sha256 } = file;
    const member = { name: candidate.path, mode: candidate.mode, mtimeMs: candidate.mtimeMs };
    try {
      await this.#deps.throttle(candidate.policy, data.length);
      const place = await pack.writer.add(member, data);
      const row = { ...this.#deps.rowOf(candidate, pack.storage), key: pack.key, ...place };
      pack.recorded.push(this.#deps.recordRow(row));
      pack.members.push({ candidate, row, sha256 });
    } catch (error) {
      this.#abandon(pack, error, candidate);
    }
  }

  /** Closes every open pack and waits until each is stored or failed; then no more members come. */
  async closeAll(): Promise<void> {
    for (const pack of [...this.#open.values()]) this.#close(pack);
    await Promise.all([...this.#closing]);
    this.#reader?.close();
    this.#reader = undefined;
  }

  #packFor(candidate: Candidate): OpenPack {
    const { policy } = candidate;
    const settings = policy.pack!;
    // A path date is the end of the period the path names; 1 ms earlier lies inside it.
    const dateMs = policy.age.from === "path" ? candidate.dateMs - 1 : candidate.mtimeMs;
    const group = packGroupOf(settings.group, { path: candidate.path, dateMs });
    const id = `${policy.name}\u0000${group}`;
    let pack = this.#open.get(id);
    const full =
      pack &&
      (pack.planned.files >= settings.maxFiles ||
        pack.planned.bytes + candidate.size + MEMBER_OVERHEAD > settings.maxSize);
    if (pack && full) {
      this.#close(pack);
      pack = undefined;
    }
    if (pack) {
      // Most recently used last, so the first entry is the one to close when too many are open.
      this.#open.delete(id);
      this.#open.set(id, pack);
      this.#plan(pack, candidate);
      return pack;
    }
    if (this.#open.size >= MAX_OPEN_PACKS) this.#close(this.#open.values().next().value!);
    pack = this.#start(policy, group);
    this.#open.set(id, pack);
    this.#plan(pack, candidate);
    return pack;
  }

  #plan(pack: OpenPack, candidate: Candidate): void {
    pack.planned.files++;
    pack.planned.bytes += candidate.size + MEMBER_OVERHEAD;
  }

  /** A member for a file that never got into its pack's tar. */
  #lone(candidate: Candidate, pack: OpenPack): PackMember {
    return { candidate, row: this.#deps.rowOf(candidate, pack.storage), sha256: "" };
  }

  #start(policy: Policy, group: string): OpenPack {
    const storage = this.#deps.storageFor(policy);
    const sequence = (this.#sequence.get(policy.name) ?? 0) + 1;
    this.#sequence.set(policy.name, sequence);
    // Unique per run, so a pack holding archived members is never overwritten.
    const key = `${policy.prefix}${group}/${this.#deps.runId}-${String(sequence).padStart(6, "0")}.tar`;
    const writer = new PackWriter();
    const { target, client } = storage;
    const params = {
      Bucket: target.bucket,
      Key: key,
      ContentType: "application/x-tar",
      Metadata: { "givre-pack": "tar", "givre-policy": policy.name },
      StorageClass:
        policy.storageClass === "STANDARD" ? undefined : (policy.storageClass as "STANDARD_IA"),
    };
    const partSize = partSizeFor(policy.pack!.maxSize, target.partSize, target.maxParts);
    const upload = uploadStream(client, {
      params,
      body: writer.output,
      partSize,
      partsInFlight: PACK_PARTS_IN_FLIGHT,
      signal: this.#deps.signal,
    });
    // A failed upload stops reading the tar; breaking the stream frees a writer waiting on it.
    upload.catch((error: Error) => writer.fail(error));
    return {
      key,
      policy,
      group,
      storage,
      writer,
      upload,
      members: [],
      recorded: [],
      planned: { files: 0, bytes: 0 },
      writing: Promise.resolve(),
      broken: undefined,
    };
  }

  #close(pack: OpenPack): void {
    this.#open.delete(`${pack.policy.name}\u0000${pack.group}`);
    const closing = this.#finish(pack);
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
  }

  async #finish(pack: OpenPack): Promise<void> {
    await pack.writing;
    if (pack.broken) return;
    if (pack.members.length === 0) {
      // Every file meant for it failed or changed: no empty pack in the bucket.
      pack.writer.fail(new Error("no members"));
      await pack.upload.catch(() => {});
      return;
    }
    try {
      // Every member's row is committed before the pack can complete in the bucket.
      await Promise.all(pack.recorded);
      await pack.writer.finish();
      const sent = await pack.upload;
      const { client, target } = pack.storage;
      await proveByHead(client, target.bucket, {
        key: pack.key,
        size: pack.writer.size,
        etag: sent.expectedEtag,
      });
      this.#deps.onStored({
        key: pack.key,
        etag: sent.expectedEtag,
        size: pack.writer.size,
        members: pack.members,
      });
    } catch (error) {
      pack.writer.fail(error instanceof Error ? error : new Error(String(error)));
      this.#deps.onFailed(pack.members, error);
    }
  }

  /** A pack whose stream broke: its members (and the file being added) fail; none is removed. */
  #abandon(pack: OpenPack, error: unknown, candidate: Candidate): void {
    this.#open.delete(`${pack.policy.name}\u0000${pack.group}`);
    const failed = [
      ...pack.members,
      { candidate, row: this.#deps.rowOf(candidate, pack.storage), sha256: "" },
    ];
    pack.members = [];
    this.#deps.onFailed(failed, error);
  }
}
