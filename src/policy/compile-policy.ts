import { SegmentGlob } from "./glob.js";
import { compilePathDate, type PathDate } from "./path-date.js";
import type { Policy } from "./policy.js";

/** Where a folder stands in every glob of a root's policies: one state per glob. */
export type FolderState = Int32Array;

/** A file as the matchers see it: no bytes, just where it is. */
export interface FileSubject {
  /** The state of the folder holding it. */
  folder: FolderState;
  /** That folder, relative to the root, `/`-separated; "" for the root itself. */
  dir: string;
  name: string;
}

/** The file's path relative to the root. */
export function pathOf(file: FileSubject): string {
  return file.dir === "" ? file.name : `${file.dir}/${file.name}`;
}

/**
 * A policy with its globs and path-date pattern compiled once, so that
 * matching a file costs a few tests of its name and builds nothing.
 */
export class CompiledPolicy {
  readonly policy: Policy;
  /** True when match.size has a bound, so matching needs the file's size. */
  readonly needsSize: boolean;
  /** Set with `age.from: path`. */
  readonly pathDate: PathDate | undefined;
  readonly #globs: readonly SegmentGlob[];
  readonly #include: readonly number[];
  readonly #exclude: readonly number[];
  readonly #keep: readonly number[];

  constructor(policy: Policy, globs: readonly SegmentGlob[], index: (glob: string) => number) {
    this.policy = policy;
    this.needsSize = policy.size.min !== undefined || policy.size.max !== undefined;
    const { from, pathDate } = policy.age;
    this.pathDate =
      from === "path" && pathDate !== undefined ? compilePathDate(pathDate) : undefined;
    this.#globs = globs;
    this.#include = policy.include.map(index);
    this.#exclude = policy.exclude.map(index);
    this.#keep = policy.keep.map(index);
  }

  /** The first include glob matching the file, or undefined. */
  included(file: FileSubject): string | undefined {
    return this.#first(this.#include, file);
  }

  /** The first exclude glob matching the file, or undefined. */
  excluded(file: FileSubject): string | undefined {
    return this.#first(this.#exclude, file);
  }

  /** The first keep glob matching the file, or undefined. */
  kept(file: FileSubject): string | undefined {
    return this.#first(this.#keep, file);
  }

  /** Whether an include glob may match a file directly in this folder. */
  mayMatchIn(folder: FolderState): boolean {
    return this.#include.some((i) => this.#globs[i]!.mayMatchFileIn(folder[i]!));
  }

  /** Whether an include glob may match a file somewhere in or below this folder. */
  mayMatchBelow(folder: FolderState): boolean {
    return this.#include.some((i) => folder[i] !== 0);
  }

  /** Why a size is outside match.size, or undefined when it fits. */
  sizeMisfit(size: number): string | undefined {
    const { min, max } = this.policy.size;
    if (min !== undefined && size < min) return `size ${size} B is under match.size.min ${min} B`;
    if (max !== undefined && size > max) return `size ${size} B is over match.size.max ${max} B`;
    return undefined;
  }

  #first(indexes: readonly number[], file: FileSubject): string | undefined {
    for (const i of indexes) {
      const glob = this.#globs[i]!;
      if (glob.matchesFile(file.folder[i]!, file)) return glob.glob;
    }
    return undefined;
  }
}

/**
 * The policies of one root, compiled together: their globs share one
 * folder state, computed once per folder by the walk (or from a path).
 */
export class RootRules {
  readonly root: string;
  /** In matching order: the first whose match fits owns the file. */
  readonly rules: readonly CompiledPolicy[];
  readonly #globs: SegmentGlob[] = [];

  /** `policies`: those of this root, in file-name order. */
  constructor(root: string, policies: readonly Policy[]) {
    this.root = root;
    const indexes = new Map<string, number>();
    const index = (glob: string): number => {
      if (!indexes.has(glob)) indexes.set(glob, this.#globs.push(new SegmentGlob(glob)) - 1);
      return indexes.get(glob)!;
    };
    this.rules = policies.map((policy) => new CompiledPolicy(policy, this.#globs, index));
  }

  /** The state of the root folder. */
  start(): FolderState {
    return Int32Array.from(this.#globs, (glob) => glob.start);
  }

  /** The state of the subfolder `name` of a folder. */
  enter(folder: FolderState, name: string): FolderState {
    const next = new Int32Array(folder.length);
    for (let i = 0; i < folder.length; i++) {
      next[i] = folder[i] === 0 ? 0 : this.#globs[i]!.enter(folder[i]!, name);
    }
    return next;
  }

  /** A file named by its path alone, for explanations and tests. */
  subject(path: string): FileSubject {
    const parts = path.split("/");
    const name = parts.pop()!;
    const folder = parts.reduce((state, part) => this.enter(state, part), this.start());
    return { folder, dir: parts.join("/"), name };
  }
}
