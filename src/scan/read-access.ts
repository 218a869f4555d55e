import { accessSync, constants } from "node:fs";

/**
 * Whether this process may read a file, judged from the lstat already
 * done, so that the run does not meet an unreadable candidate halfway
 * through an upload. Mode bits settle almost every file without a system
 * call; when they say no, access(2) has the last word (ACLs, root).
 */
export class ReadAccess {
  readonly #uid: number;
  readonly #groups: ReadonlySet<number>;

  constructor() {
    this.#uid = process.getuid?.() ?? -1;
    this.#groups = new Set(process.getgroups?.() ?? []);
  }

  /** Why the file (lstat's mode, uid and gid) cannot be read, or undefined when it can. */
  problem(mode: number, uid: number, gid: number, absolutePath: string): string | undefined {
    if (mode & this.#readBit(uid, gid)) return undefined;
    try {
      accessSync(absolutePath, constants.R_OK);
      return undefined;
    } catch {
      const bits = (mode & 0o7777).toString(8).padStart(4, "0");
      return `permission denied (mode ${bits}, owner ${uid}:${gid})`;
    }
  }

  #readBit(uid: number, gid: number): number {
    if (uid === this.#uid) return 0o400;
    return this.#groups.has(gid) ? 0o040 : 0o004;
  }
}

/** `permission denied (EACCES)` from a Node fs error. */
export function fsReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const text = /^\w+: ([^,]+)/.exec(message ?? "")?.[1] ?? String(message ?? error);
  return code ? `${text} (${code})` : text;
}
