import { Worker } from "node:worker_threads";

/**
 * Worker threads fetching and writing small files: fsync waits in them,
 * not in the main thread. On this two-core machine 4 measured best; 8, 16
 * and 32 were slower (each worker is a V8 isolate to start and schedule).
 */
const DEFAULT_WORKERS = 4;

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
const http = require("node:http");
const https = require("node:https");
const { createHash } = require("node:crypto");
const { parentPort } = require("node:worker_threads");
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);
const SOCKETS = { keepAlive: true, maxSockets: 16, maxFreeSockets: 16 };
const agents = { "http:": new http.Agent(SOCKETS), "https:": new https.Agent(SOCKETS) };
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
function writeFile(job, data) {
  try {
    const fd = fs.openSync(job.temp, "wx", 0o600);
    let mtimeMs;
    try {
      for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done);
      fs.fchmodSync(fd, job.mode);
      fs.futimesSync(fd, job.mtimeMs / 1000, job.mtimeMs / 1000);
      fs.fsyncSync(fd);
      mtimeMs = fs.fstatSync(fd).mtimeMs;
    } finally {
      fs.closeSync(fd);
    }
    place(job);
    return { id: job.id, mtimeMs };
  } catch (error) {
    try { fs.unlinkSync(job.temp); } catch {}
    return { id: job.id, code: error.code || "EIO", message: error.message };
  }
}
function fetchAndWrite(job, answer) {
  const url = new URL(job.url);
  const request = (url.protocol === "https:" ? https : http).request(url, {
    headers: job.headers,
    agent: agents[url.protocol],
    timeout: 120000,
  });
  request.on("timeout", () => request.destroy(Object.assign(new Error("socket timeout"), { code: "ETIMEDOUT" })));
  request.on("error", (error) => answer({ id: job.id, network: error.code || "EIO", message: error.message }));
  request.on("response", (response) => {
    const chunks = [];
    const hash = createHash("sha256");
    response.on("data", (chunk) => {
      chunks.push(chunk);
      if (response.statusCode === 200) hash.update(chunk);
    });
    response.on("error", (error) => answer({ id: job.id, network: error.code || "EIO", message: error.message }));
    response.on("end", () => {
      const body = Buffer.concat(chunks);
      if (response.statusCode !== 200) {
        return answer({ id: job.id, status: response.statusCode, body: body.toString() });
      }
      if (body.length !== job.size) return answer({ id: job.id, refused: "size", found: String(body.length) });
      const sha256 = hash.digest("hex");
      if (sha256 !== job.sha256) return answer({ id: job.id, refused: "sha256", found: sha256 });
      answer(writeFile(job, body));
    });
  });
  request.end();
}
parentPort.on("message", (job) => {
  if (job.op === "write") parentPort.postMessage(writeFile(job, job.data));
  else fetchAndWrite(job, (answer) => parentPort.postMessage(answer));
});
`;

/** What a worker answers: written, or why not. */
export type WorkerAnswer =
  | { id: number; mtimeMs: number }
  /** The write failed: errno code (EEXIST, ENOSPC...). */
  | { id: number; code: string; message: string }
  /** The GET was answered with another status than 200. */
  | { id: number; status: number; body: string }
  /** The bytes were not the catalog's: `found` is the size or SHA-256 read. */
  | { id: number; refused: "size" | "sha256"; found: string }
  /** The connection failed (ECONNRESET, ETIMEDOUT...). */
  | { id: number; network: string; message: string };

/** A whole small object to GET, check and write, all in a worker. */
export interface SmallFileFetch extends Omit<SmallFileWrite, "data"> {
  /** Signed in the main thread (DirectRead.signedGet); never logged. */
  url: string;
  headers: Record<string, string>;
  size: number;
  sha256: string;
}

export class FileWriterPool {
  readonly #size: number;
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, (answer: WorkerAnswer) => void>();
  #next = 0;
  #id = 0;

  constructor(size = DEFAULT_WORKERS) {
    this.#size = size;
  }

  /** Writes one file; resolves with the mtime it kept. `data` must not be used afterwards. */
  async write(job: SmallFileWrite): Promise<number> {
    const data = new Uint8Array(job.data.buffer, job.data.byteOffset, job.data.length);
    // A buffer that owns its memory is moved, not copied; a slice of a shared pool is copied.
    const owns = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    const transfer = owns && data.buffer instanceof ArrayBuffer ? [data.buffer] : [];
    const answer = await this.#post({ ...job, op: "write", data }, transfer);
    if ("mtimeMs" in answer) return answer.mtimeMs;
    if ("code" in answer) throw new WriteFailure(answer.code, answer.message);
    throw new WriteFailure("EIO", "unexpected answer from a file worker");
  }

  /** GETs, checks and writes one small file in a worker; the answer says how it went. */
  fetch(job: SmallFileFetch): Promise<WorkerAnswer> {
    return this.#post({ ...job, op: "fetch" }, []);
  }

  async destroy(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
    this.#workers.length = 0;
  }

  #post(message: Record<string, unknown>, transfer: ArrayBuffer[]): Promise<WorkerAnswer> {
    const worker = this.#worker();
    const id = ++this.#id;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  #worker(): Worker {
    if (this.#workers.length < this.#size) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on("message", (answer: WorkerAnswer) => this.#settle(answer));
      worker.on("error", (error) => this.#failAll(error));
      this.#workers.push(worker);
      return worker;
    }
    this.#next = (this.#next + 1) % this.#workers.length;
    return this.#workers[this.#next]!;
  }

  #settle(answer: WorkerAnswer): void {
    const resolve = this.#pending.get(answer.id);
    this.#pending.delete(answer.id);
    resolve?.(answer);
  }

  #failAll(error: Error): void {
    for (const [id, resolve] of this.#pending) resolve({ id, code: "EIO", message: error.message });
    this.#pending.clear();
  }
}
