import { Worker } from "node:worker_threads";
import { statInto, statPaths, type StatBatch } from "./stat-batch.js";

/** The thread runs the very functions the walk uses in its own thread, from their source text. */
const SOURCE = `
const { parentPort } = require("node:worker_threads");
const { lstatSync } = require("node:fs");
const statInto = ${statInto.toString()};
const statPaths = ${statPaths.toString()};
parentPort.on("message", ({ id, paths }) => {
  const batch = statPaths(lstatSync, paths.split("\0"));
  parentPort.postMessage({ id, batch }, [batch.values.buffer]);
});
`;

interface Waiter {
  resolve: (batch: StatBatch) => void;
  reject: (error: unknown) => void;
}

/**
 * A second thread for lstat calls. lstat is most of a plan's cost (Node
 * spends about twice the system call's time around each one), and the
 * machines this runs on have a second core: batches of paths go to the
 * thread while the walk reads on. It holds the process open only while a
 * batch is out.
 */
export class StatThread {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Waiter>();
  #nextId = 0;

  constructor() {
    this.#worker = new Worker(SOURCE, { eval: true });
    this.#worker.unref();
    this.#worker.on("message", ({ id, batch }: { id: number; batch: StatBatch }) => {
      const waiter = this.#waiting.get(id);
      this.#waiting.delete(id);
      if (this.#waiting.size === 0) this.#worker.unref();
      waiter?.resolve(batch);
    });
    this.#worker.on("error", (error) => this.#failAll(error));
  }

  /** Batches sent and not answered yet. */
  get queued(): number {
    return this.#waiting.size;
  }

  stat(paths: readonly string[]): Promise<StatBatch> {
    const id = this.#nextId++;
    if (this.#waiting.size === 0) this.#worker.ref();
    const answer = new Promise<StatBatch>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
    });
    // One string crosses threads for about a tenth of the cost of an array of paths.
    this.#worker.postMessage({ id, paths: paths.join("\0") });
    return answer;
  }

  close(): void {
    this.#failAll(new Error("the stat thread was closed"));
    void this.#worker.terminate();
  }

  #failAll(error: unknown): void {
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}
