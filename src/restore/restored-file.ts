import { createHash, randomBytes, type Hash } from "node:crypto";
import * as fs from "node:fs";
import { link, lstat, rename, unlink } from "node:fs/promises";
import { promisify } from "node:util";
import { basename, dirname, join } from "node:path";
import type { CatalogEntry } from "../catalog/catalog.js";
import { GivreError } from "../errors.js";
import type { FileWriterPool, WriteFailure } from "./file-writer-pool.js";
import type { MemberSink } from "./span-cutter.js";

// Plain file descriptors through the callback API: a FileHandle per file
// costs more CPU than the few system calls a small file needs.
const open = promisify(fs.open);
const writev = promisify(fs.writev);
const write = promisify(fs.write);
const fchmod = promisify(fs.fchmod);
const futimes = promisify(fs.futimes);
const fsync = promisify(fs.fsync);
const fstat = promisify(fs.fstat);
const close = promisify(fs.close);

/** Bytes gathered before one write(): small files become one write, large ones 1 MiB writes. */
const WRITE_BATCH = 1024 * 1024;
/** Characters of the file's name kept in its temp name, so the temp name stays under NAME_MAX. */
const TEMP_NAME_CHARS = 64;
export const TEMP_MARK = ".givre-restore-";

export class RestoreRefusedError extends GivreError {
  constructor(code: string, message: string) {
    super(code, 1, message);
  }
}

/** `.<name>.givre-restore-<pid>-<random>`: hidden, and names the process that may clean it up. */
export function tempNameFor(file: string): string {
  const name = Array.from(basename(file)).slice(0, TEMP_NAME_CHARS).join("");
  return join(
    dirname(file),
    `.${name}${TEMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}`,
  );
}

/**
 * One file coming back. Its bytes go to a temp name in the target folder
 * and are hashed on the way; finish() checks size and SHA-256 against the
 * catalog, and only then sets mode and mtime, fsyncs, and puts the file in
 * place. Invariant: the file's own name never holds anything but the
 * catalog's exact bytes. A file that fits in one batch is checked before
 * its temp file is even made, so a refused small file writes nothing.
 *
 * Without `overwrite`, the file is put in place with link(), which fails if
 * a file of that name appeared meanwhile: nothing local is ever replaced.
 * The folder is not fsynced here; the caller does it once per folder
 * before the catalog calls the file restored.
 */
export class RestoredFile implements MemberSink {
  readonly #file: string;
  readonly #entry: CatalogEntry;
  readonly #overwrite: boolean;
  readonly #hash: Hash = createHash("sha256");
  readonly #temp: string;
  #fd: number | undefined;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #bytes = 0;
  /** The mtime the file ended up with (filesystems round it), once finished. */
  mtimeMs: number | undefined;

  readonly #writers: FileWriterPool | undefined;

  constructor(
    file: string,
    entry: CatalogEntry,
    options: { overwrite: boolean; writers?: FileWriterPool },
  ) {
    this.#file = file;
    this.#entry = entry;
    this.#overwrite = options.overwrite;
    this.#writers = options.writers;
    this.#temp = tempNameFor(file);
  }

  async write(chunk: Buffer): Promise<void> {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= WRITE_BATCH) await this.#flush();
  }

  async finish(): Promise<void> {
    this.#check();
    if (this.#fd === undefined && this.#writers) return this.#writeInWorker(this.#writers);
    await this.#flush();
    const fd = this.#fd ?? (await this.#create());
    await fchmod(fd, this.#entry.mode);
    const mtime = this.#entry.mtimeMs / 1000;
    await futimes(fd, mtime, mtime);
    await fsync(fd);
    this.mtimeMs = (await fstat(fd)).mtimeMs;
    await this.#close();
    await this.#place();
  }

  /** A file held whole in memory goes to disk in one worker round trip (file-writer-pool.ts). */
  async #writeInWorker(writers: FileWriterPool): Promise<void> {
    const data = Buffer.concat(this.#pending);
    this.#pending = [];
    try {
      this.mtimeMs = await writers.write({
        temp: this.#temp,
        file: this.#file,
        data,
        mode: this.#entry.mode,
        mtimeMs: this.#entry.mtimeMs,
        overwrite: this.#overwrite,
      });
    } catch (error) {
      if ((error as WriteFailure).code === "EEXIST") throw this.#appeared();
      throw error;
    }
  }

  #appeared(): RestoreRefusedError {
    return new RestoreRefusedError(
      "RESTORE_LOCAL_EXISTS",
      `${this.#file} appeared while it was restored; it was left as it is`,
    );
  }

  async abandon(): Promise<void> {
    await this.#close().catch(() => {});
    await unlink(this.#temp).catch(() => {});
  }

  #check(): void {
    const { root, path, key, size, sha256 } = this.#entry;
    const where = `${root}/${path} (object ${key})`;
    if (this.#bytes !== size) {
      throw new RestoreRefusedError(
        "RESTORE_SIZE_MISMATCH",
        `${where}: read ${this.#bytes} bytes, the catalog says ${size}; nothing written`,
      );
    }
    const found = this.#hash.digest("hex");
    if (found !== sha256) {
      throw new RestoreRefusedError(
        "RESTORE_CHECKSUM_MISMATCH",
        `${where}: the bytes read have SHA-256 ${found}, the catalog says ${sha256 ?? "none"}; nothing written`,
      );
    }
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const fd = this.#fd ?? (await this.#create());
    const buffers = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    const { bytesWritten: written } = await writev(fd, buffers);
    // A regular file takes the whole write unless the disk fills; finish a short one anyway.
    if (written < total) await writeAll(fd, Buffer.concat(buffers).subarray(written));
  }

  async #create(): Promise<number> {
    // wx: never reuse a name; 0600 until the real mode is set at the end.
    this.#fd = await open(this.#temp, "wx", 0o600);
    return this.#fd;
  }

  async #close(): Promise<void> {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) await close(fd);
  }

  async #place(): Promise<void> {
    try {
      if (this.#overwrite) return await rename(this.#temp, this.#file);
      if (!(await this.#linkOrRename())) return;
    } catch (error) {
      await unlink(this.#temp).catch(() => {});
      if ((error as NodeJS.ErrnoException).code === "EEXIST") throw this.#appeared();
      throw error;
    }
    await unlink(this.#temp);
  }

  /**
   * link() when the filesystem has hard links (true: the temp name is left
   * to remove); else a check and rename(), whose window is one system call.
   */
  async #linkOrRename(): Promise<boolean> {
    try {
      await link(this.#temp, this.#file);
      return true;
    } catch (error) {
      if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
    }
    const exists = await lstat(this.#file).then(
      () => true,
      () => false,
    );
    if (exists) throw Object.assign(new Error("exists"), { code: "EEXIST" });
    await rename(this.#temp, this.#file);
    return false;
  }
}

async function writeAll(fd: number, data: Buffer): Promise<void> {
  for (let done = 0; done < data.length;) {
    done += (await write(fd, data.subarray(done))).bytesWritten;
  }
}

/** What link() answers on filesystems without hard links (some FUSE and SMB mounts). */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);
