import { Worker } from "node:worker_threads";

/**
 * Worker threads writing small files: fsync waits in them, not in the main
 * thread. Each fsync here takes milliseconds: 4 workers spent half their
 * time in it, while 16 and 32 measured slower on this two-core machine
 * (each worker is a V8 isolate to start and to schedule); 8 is between.
 */
const DEFAULT_WORKERS = 8;

export interface SmallFileWrite {
  /** The temp name the bytes go to first, in the target folder. */
  temp: string;
  file: string;
  data: Buffer;
  mode: number;
  mtimeMs: number;
  /** rename() over a local file; otherwise link(), which refuses to replace one. */
  overwrite: boolean;
}

/** A write that failed in a worker: the errno code (EEXIST, ENOSPC...) and message. */
export class WriteFailure extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The whole life of a small restored file in one message to a worker:
 * create the temp file, write, set mode and mtime, fsync, read back the
 * mtime the filesystem kept, close, put in place, remove the temp name.
 * Done with synchronous calls in the worker, that is one round trip
 * instead of nine through the thread pool, and the main thread is left
 * to download and hash. The worker is self-contained (only node:fs), so
 * it runs from source under the tests as from the build.
 */
const WORKER_SOURCE = `
const fs = require("node:fs");
const { parentPort } = require("node:worker_threads");
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);
function place(job) {
  if (job.overwrite) return fs.renameSync(job.temp, job.file);
  try {
    fs.linkSync(job.temp, job.file);
  } catch (error) {
    if (!NO_HARD_LINKS.has(error.code)) throw error;
    if (fs.existsSync(job.file)) throw Object.assign(new Error("exists"), { code: "EEXIST" });
    return fs.renameSync(job.temp, job.file);
  }
  fs.unlinkSync(job.temp);
}
parentPort.on("message", (job) => {
  try {
    const fd = fs.openSync(job.temp, "wx", 0o600);
    let mtimeMs;
    try {
      for (let done = 0; done < job.data.length; ) done += fs.writeSync(fd, job.data, done);
      fs.fchmodSync(fd, job.mode);
      fs.futimesSync(fd, job.mtimeMs / 1000, job.mtimeMs / 1000);
      fs.fsyncSync(fd);
      mtimeMs = fs.fstatSync(fd).mtimeMs;
    } finally {
      fs.closeSync(fd);
    }
    place(job);
    parentPort.postMessage({ id: job.id, mtimeMs });
  } catch (error) {
    try { fs.unlinkSync(job.temp); } catch {}
    parentPort.postMessage({ id: job.id, code: error.code ?? "EIO", message: error.message });
  }
});
`;

interface Pending {
  resolve: (mtimeMs: number) => void;
  reject: (error: WriteFailure) => void;
}

export class FileWriterPool {
  readonly #size: number;
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #id = 0;

  constructor(size = DEFAULT_WORKERS) {
    this.#size = size;
  }

  /** Writes one file; resolves with the mtime it kept. `data` must not be used afterwards. */
  write(job: SmallFileWrite): Promise<number> {
    const worker = this.#worker();
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const data = new Uint8Array(job.data.buffer, job.data.byteOffset, job.data.length);
      // A buffer that owns its memory is moved, not copied; a slice of a shared pool is copied.
      const owns = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
      const transfer = owns && data.buffer instanceof ArrayBuffer ? [data.buffer] : [];
      worker.postMessage({ ...job, id, data }, transfer);
    });
  }

  async destroy(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
    this.#workers.length = 0;
  }

  #worker(): Worker {
    if (this.#workers.length < this.#size) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on(
        "message",
        (answer: { id: number; mtimeMs?: number; code?: string; message?: string }) =>
          this.#settle(answer),
      );
      worker.on("error", (error) => this.#failAll(error));
      this.#workers.push(worker);
      return worker;
    }
    this.#next = (this.#next + 1) % this.#workers.length;
    return this.#workers[this.#next]!;
  }

  #settle(answer: { id: number; mtimeMs?: number; code?: string; message?: string }): void {
    const pending = this.#pending.get(answer.id);
    this.#pending.delete(answer.id);
    if (answer.code !== undefined) {
      pending?.reject(new WriteFailure(answer.code, answer.message ?? ""));
    } else pending?.resolve(answer.mtimeMs!);
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) {
      pending.reject(new WriteFailure("EIO", error.message));
    }
    this.#pending.clear();
  }
}
