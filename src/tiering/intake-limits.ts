import type { Candidate } from "../scan/candidate.js";

export type Admission = "take" | "defer" | "stop";

/**
 * The limits of a run: each policy's `limits.files`/`limits.bytes`, and the
 * run's `--max-files`/`--max-bytes`. A file that would cross a policy's
 * limit is deferred (others may still fit); once the run's own limit is
 * reached, the run takes nothing more.
 */
export class IntakeLimits {
  readonly #maxFiles: number;
  readonly #maxBytes: number;
  readonly #perPolicy = new Map<string, { files: number; bytes: number }>();
  #files = 0;
  #bytes = 0;

  constructor(maxFiles = Infinity, maxBytes = Infinity) {
    this.#maxFiles = maxFiles;
    this.#maxBytes = maxBytes;
  }

  admit(candidate: Candidate): Admission {
    if (this.#files >= this.#maxFiles || this.#bytes >= this.#maxBytes) return "stop";
    if (this.#bytes + candidate.size > this.#maxBytes) return "defer";
    const { limits, name } = candidate.policy;
    const used = this.#perPolicy.get(name) ?? { files: 0, bytes: 0 };
    if (used.files + 1 > (limits.files ?? Infinity)) return "defer";
    if (used.bytes + candidate.size > (limits.bytes ?? Infinity)) return "defer";
    used.files++;
    used.bytes += candidate.size;
    this.#perPolicy.set(name, used);
    this.#files++;
    this.#bytes += candidate.size;
    return "take";
  }
}
