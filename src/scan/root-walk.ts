import { readdirSync, type Dirent } from "node:fs";
import type { CompiledPolicy, FileSubject, FolderState } from "../policy/compile-policy.js";
import type { RootRules } from "../policy/compile-policy.js";
import { judge, ownerOf, type Decision, type FileFacts } from "../policy/evaluate.js";
import type { Policy } from "../policy/policy.js";
import type { Candidate, ScanReport } from "./candidate.js";
import { MAX_UNREADABLE_LISTED } from "./candidate.js";
import { ReadAccess, fsReason } from "./read-access.js";
import { Kind, STAT_FIELDS, statHere, type StatBatch } from "./stat-batch.js";

interface Folder {
  /** Relative to the root; "" for the root itself. */
  rel: string;
  abs: string;
  state: FolderState;
  /** The policies that may match a file right in this folder; set when it is read. */
  rules: readonly CompiledPolicy[];
}

/** Files whose decision needs their lstat: `names[i]` is in `folders[i]`. */
export interface FileBatch {
  folders: Folder[];
  names: string[];
  /** The policy owning each file, when its path alone told (no size bound on the way). */
  owners: (CompiledPolicy | undefined)[];
}

export interface RootWalkOptions {
  path: string;
  /** The root's policies, compiled together, in matching order. */
  rules: RootRules;
  /** Policies whose candidates are wanted; the others still decide which policy owns a file. */
  selected: ReadonlySet<Policy>;
  report: ScanReport;
  now: number;
}

/** Entries looked at per `advance` at most: the work between two looks at the clock. */
const ENTRIES_PER_ADVANCE = 4096;
/** Files per batch at most: enough to make a message between threads worth its cost. */
const FILES_PER_BATCH = 1024;

/** The absolute path of each file of a batch, for lstat. */
export function batchPaths(batch: FileBatch): string[] {
  return batch.names.map((name, i) => `${batch.folders[i]!.abs}/${name}`);
}

/**
 * A depth-first walk of one root. Memory holds the folder being read and
 * the folders still to enter, never the tree. Entries are taken in name
 * order, so plans are repeatable. Symbolic links are counted and never
 * followed (no loops, no escape from the root); a folder or file that
 * cannot be read is reported and the walk goes on.
 *
 * Work comes in two steps so that lstat calls can run elsewhere:
 * `advance` reads entries and settles what the path alone decides (kept,
 * too young by its path date); the files that need their lstat come back
 * as a batch, and `settle` finishes them once the batch's lstat is done.
 *
 * Folders are read with one synchronous readdir: measured on ext4, the
 * promise forms of readdir and lstat cost three times as much per file.
 */
export class RootWalk {
  readonly #options: RootWalkOptions;
  readonly #access = new ReadAccess();
  readonly #wanted: readonly CompiledPolicy[];
  readonly #stack: Folder[];
  #folder: Folder | undefined;
  #entries: Dirent[] = [];
  #index = 0;
  #children: Folder[] = [];
  readonly #subject: FileSubject = { folder: new Int32Array(0), dir: "", name: "" };
  /** Set when a decision asked for the file's lstat before it was taken. */
  #factsWanted = false;
  readonly #noFacts = (): undefined => {
    this.#factsWanted = true;
    return undefined;
  };
  readonly #facts: FileFacts = { size: 0, mtimeMs: 0 };
  readonly #knownFacts = (): FileFacts => this.#facts;

  constructor(options: RootWalkOptions) {
    this.#options = options;
    this.#wanted = options.rules.rules.filter((rule) => options.selected.has(rule.policy));
    this.#stack = [{ rel: "", abs: options.path, state: options.rules.start(), rules: [] }];
  }

  /**
   * Looks at the next entries of the walk and returns the files among
   * them whose decision needs an lstat; undefined once the root is walked.
   */
  advance(): FileBatch | undefined {
    const batch: FileBatch = { folders: [], names: [], owners: [] };
    for (let seen = 0; seen < ENTRIES_PER_ADVANCE; seen++) {
      if (this.#index < this.#entries.length) {
        this.#visit(this.#entries[this.#index++]!, batch);
        if (batch.names.length >= FILES_PER_BATCH) break;
      } else if (!this.#nextFolder()) {
        break;
      }
    }
    return batch.names.length === 0 && this.#folder === undefined ? undefined : batch;
  }

  /** The candidates among a batch's files, given their lstat. */
  settle(batch: FileBatch, stats: StatBatch): Candidate[] {
    for (const failure of stats.failures) {
      const { folders, names } = batch;
      this.#unreadable(`${folders[failure.index]!.abs}/${names[failure.index]}`, fsReason(failure));
    }
    const candidates: Candidate[] = [];
    for (let i = 0; i < batch.names.length; i++) {
      const candidate = this.#settleFile(batch, i, stats.values);
      if (candidate) candidates.push(candidate);
    }
    return candidates;
  }

  #nextFolder(): boolean {
    for (let i = this.#children.length - 1; i >= 0; i--) this.#stack.push(this.#children[i]!);
    this.#children = [];
    this.#folder = this.#stack.pop();
    this.#entries = [];
    this.#index = 0;
    if (this.#folder === undefined) return false;
    this.#folder.rules = this.#rulesForFiles(this.#folder.state);
    this.#entries = this.#read(this.#folder);
    return true;
  }

  #read(folder: Folder): Dirent[] {
    this.#options.report.folders++;
    try {
      return readdirSync(folder.abs, { withFileTypes: true }).sort(byName);
    } catch (error) {
      this.#unreadable(folder.abs, fsReason(error));
      return [];
    }
  }

  /** The policies to try on this folder's files; none when no wanted policy can match here. */
  #rulesForFiles(state: FolderState): readonly CompiledPolicy[] {
    const rules = this.#options.rules.rules.filter((rule) => rule.mayMatchIn(state));
    return rules.some((rule) => this.#options.selected.has(rule.policy)) ? rules : [];
  }

  #visit(entry: Dirent, batch: FileBatch): void {
    const report = this.#options.report;
    if (entry.isFile()) this.#sortFile(entry.name, batch);
    else if (entry.isDirectory()) this.#visitFolder(entry.name);
    else if (entry.isSymbolicLink()) report.symlinks++;
    else if (isSpecial(entry)) report.specialFiles++;
    else this.#visitUntyped(entry.name, batch);
  }

  #visitFolder(name: string): void {
    const folder = this.#folder!;
    const state = this.#options.rules.enter(folder.state, name);
    if (!this.#wanted.some((rule) => rule.mayMatchBelow(state))) return;
    const rel = folder.rel === "" ? name : `${folder.rel}/${name}`;
    this.#children.push({ rel, abs: `${folder.abs}/${name}`, state, rules: [] });
  }

  /** A file system that gives no entry types (DT_UNKNOWN): lstat tells. */
  #visitUntyped(name: string, batch: FileBatch): void {
    const path = `${this.#folder!.abs}/${name}`;
    const { values, failures } = statHere([this.#folder!.abs], [name]);
    const report = this.#options.report;
    if (failures[0]) this.#unreadable(path, fsReason(failures[0]));
    else if (values[0] === Kind.file) this.#sortFile(name, batch);
    else if (values[0] === Kind.folder) this.#visitFolder(name);
    else if (values[0] === Kind.symlink) report.symlinks++;
    else if (values[0] === Kind.special) report.specialFiles++;
  }

  /** Settles a file that its path decides; adds it to the batch when it needs an lstat. */
  #sortFile(name: string, batch: FileBatch): void {
    const folder = this.#folder!;
    if (folder.rules.length === 0) return;
    this.#options.report.filesSeen++;
    this.#factsWanted = false;
    const subject = this.#subjectFor(folder, name);
    const owner = ownerOf(folder.rules, subject, this.#noFacts);
    if (this.#factsWanted) return this.#defer(batch, folder, name, undefined);
    if (owner === undefined || !this.#options.selected.has(owner.policy)) return;
    const decision = judge(owner, subject, this.#noFacts, this.#options.now);
    if (this.#factsWanted || decision?.outcome === "take") {
      this.#defer(batch, folder, name, owner);
    } else if (decision !== undefined) {
      this.#tally(decision);
    }
  }

  #defer(batch: FileBatch, folder: Folder, name: string, owner: CompiledPolicy | undefined): void {
    batch.folders.push(folder);
    batch.names.push(name);
    batch.owners.push(owner);
  }

  #settleFile(batch: FileBatch, i: number, values: Float64Array): Candidate | undefined {
    const folder = batch.folders[i]!;
    const name = batch.names[i]!;
    const at = i * STAT_FIELDS;
    const kind = values[at];
    if (kind === Kind.missing && name.includes("\uFFFD")) {
      return this.#unreadable(`${folder.abs}/${name}`, "its name is not valid UTF-8");
    }
    // Gone, or replaced by a link or a folder since the folder was read: nothing to take.
    if (kind !== Kind.file) return undefined;
    this.#facts.size = values[at + 1]!;
    this.#facts.mtimeMs = values[at + 2]!;
    const subject = this.#subjectFor(folder, name);
    const owner = batch.owners[i] ?? ownerOf(folder.rules, subject, this.#knownFacts);
    if (owner === undefined || !this.#options.selected.has(owner.policy)) return undefined;
    const decision = judge(owner, subject, this.#knownFacts, this.#options.now)!;
    if (decision.outcome !== "take") return this.#tally(decision);
    return this.#candidate(folder, name, values, at, decision);
  }

  /** The candidate a taken file makes, unless this process may not read it. */
  #candidate(
    folder: Folder,
    name: string,
    values: Float64Array,
    at: number,
    decision: Decision,
  ): Candidate | undefined {
    const absolutePath = `${folder.abs}/${name}`;
    const mode = values[at + 3]!;
    const problem = this.#access.problem(mode, values[at + 4]!, values[at + 5]!, absolutePath);
    if (problem !== undefined) return this.#unreadable(absolutePath, problem);
    return {
      root: this.#options.rules.root,
      path: folder.rel === "" ? name : `${folder.rel}/${name}`,
      absolutePath,
      size: values[at + 1]!,
      mtimeMs: values[at + 2]!,
      mode: mode & 0o7777,
      policy: decision.owner.policy,
      dateMs: decision.dateMs,
    };
  }

  #subjectFor(folder: Folder, name: string): FileSubject {
    const subject = this.#subject;
    subject.folder = folder.state;
    subject.dir = folder.rel;
    subject.name = name;
    return subject;
  }

  /** Counts a file that its policy keeps local for now. */
  #tally({ owner, outcome }: Decision): undefined {
    const tally = this.#options.report.staying[owner.policy.name]!;
    if (outcome === "keep") tally.kept++;
    else if (outcome === "young") tally.young++;
    else if (outcome === "undated") tally.undated++;
    return undefined;
  }

  #unreadable(path: string, reason: string): undefined {
    const report = this.#options.report;
    if (report.unreadable.length < MAX_UNREADABLE_LISTED) report.unreadable.push({ path, reason });
    else report.unreadableNotListed++;
    return undefined;
  }
}

function isSpecial(entry: Dirent): boolean {
  return entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice();
}

function byName(a: Dirent, b: Dirent): number {
  if (a.name === b.name) return 0;
  return a.name < b.name ? -1 : 1;
}
