import picomatch from "picomatch";

/**
 * Globs in policies are matched against paths relative to a root
 * (`radar/reflectivity/2019/06/30/x.png`), with picomatch's syntax. Names
 * starting with a dot are matched only by a glob part that spells the dot,
 * so editors' and rsync's hidden temp files never go by accident.
 */
export const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: false };

const PAIRS: Record<string, string> = { "[": "]", "{": "}", "(": ")" };
const CLOSERS = new Set(Object.values(PAIRS));
/** Parts tracked in one 32-bit mask (bit 31 is the sign); a longer glob is matched whole. */
const MAX_SEGMENTS = 30;

type NameTest = (name: string) => boolean;

/**
 * A glob cut at its slashes and run as a small automaton, one path part at
 * a time: a folder's state is the set of glob parts its path can have
 * reached (a bit mask), so the walk computes it once per folder and a file
 * costs one test of its name against the last part. picomatch's regex for
 * a whole path with `**` costs 1 to 8 µs per test on paths of this site
 * (its lookaheads backtrack per character); a name test costs about 0.1 µs.
 *
 * A glob whose braces or brackets span a slash (`{radar/a,tiles}/**`)
 * cannot be cut: it is tested whole, and its state is only a
 * conservative guess from its literal base, for pruning.
 */
export class SegmentGlob {
  readonly glob: string;
  /** The state of the root folder. */
  readonly start: number;
  readonly #parts: readonly (NameTest | null)[];
  /** The parts a file name can be the last match of. */
  readonly #final: number;
  readonly #last: number;
  readonly #whole: NameTest | undefined;

  constructor(glob: string) {
    this.glob = glob;
    const parts = glob.split("/");
    const cuttable = !slashInsideGroup(glob) && parts.length <= MAX_SEGMENTS;
    this.#parts = cuttable ? parts.map(partTest) : baseParts(glob);
    this.#whole = cuttable ? undefined : picomatch(glob, GLOB_OPTIONS);
    this.#last = 1 << (this.#parts.length - 1);
    this.#final = finalParts(this.#parts);
    this.start = this.#closure(1);
  }

  /** The state of a subfolder `name` of a folder in `state`; 0 when no match can lie below. */
  enter(state: number, name: string): number {
    let next = 0;
    for (let i = 0; i < this.#parts.length; i++) {
      const bit = 1 << i;
      if ((state & bit) === 0) continue;
      const part = this.#parts[i]!;
      // A cut glob's ** skips hidden folders as picomatch does; a guess must not.
      if (part === null) next |= isHidden(name) && this.#whole === undefined ? 0 : bit;
      else if (bit !== this.#last && part(name)) next |= bit << 1;
    }
    return this.#closure(next);
  }

  /** Whether a file (its folder `dir` in `state`) matches. */
  matchesFile(state: number, file: { dir: string; name: string }): boolean {
    const reached = state & this.#final;
    if (reached === 0) return false;
    const { dir, name } = file;
    if (this.#whole !== undefined) return this.#whole(dir === "" ? name : `${dir}/${name}`);
    for (let i = 0; i < this.#parts.length; i++) {
      if ((reached & (1 << i)) === 0) continue;
      const part = this.#parts[i]!;
      if (part === null ? !isHidden(name) : part(name)) return true;
    }
    return false;
  }

  /** Whether a folder in `state` can hold a matching file directly. */
  mayMatchFileIn(state: number): boolean {
    return (state & this.#final) !== 0;
  }

  /** `**` matches no part at all too: reaching it reaches the part after it. */
  #closure(state: number): number {
    let closed = state;
    for (let i = 0; i < this.#parts.length - 1; i++) {
      if ((closed & (1 << i)) !== 0 && this.#parts[i] === null) closed |= 1 << (i + 1);
    }
    return closed;
  }
}

/**
 * The parts a file name can match last: the last part, and since a
 * trailing `**` may match nothing (`radar/**` matches a file `radar`),
 * the part before a tail of `**` and the `**` parts of that tail.
 */
function finalParts(parts: readonly (NameTest | null)[]): number {
  let final = 0;
  for (let i = parts.length - 1; i >= 0; i--) {
    final |= 1 << i;
    if (parts[i] !== null) break;
  }
  return final;
}

/** Literal text, one `*`, literal text: the common shape (`*.png`, `latest*.png`). */
const STAR_ONCE = /^([^*?[\]{}()!+@\\]*)\*([^*?[\]{}()!+@\\]*)$/;

function partTest(part: string): NameTest | null {
  if (part === "**") return null;
  if (!picomatch.scan(part).isGlob && !part.includes("\\")) return (name) => name === part;
  const star = STAR_ONCE.exec(part);
  if (star) return starTest(star[1]!, star[2]!);
  const regex = picomatch.makeRe(part, GLOB_OPTIONS);
  return (name) => regex.test(name);
}

/**
 * `prefix*suffix` without a regex, as picomatch reads it: a leading `*`
 * matches no hidden name, and no glob matches `.` or `..`.
 */
function starTest(prefix: string, suffix: string): NameTest {
  const shortest = Math.max(prefix.length + suffix.length, 1);
  return (name) =>
    name.length >= shortest &&
    name.startsWith(prefix) &&
    name.endsWith(suffix) &&
    (prefix !== "" || !isHidden(name)) &&
    name !== "." &&
    name !== "..";
}

/** The literal folders before the first wildcard, then anything. */
function baseParts(glob: string): (NameTest | null)[] {
  const base = picomatch.scan(glob).base;
  const literal = base === "" ? [] : base.split("/").map(partTest);
  return [...literal, null];
}

function isHidden(name: string): boolean {
  return name.charCodeAt(0) === 46; // "."
}

function slashInsideGroup(glob: string): boolean {
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === "\\") i++;
    else if (char === "[" || char === "{" || char === "(") depth++;
    else if (char === "]" || char === "}" || char === ")") depth--;
    else if (char === "/" && depth > 0) return true;
  }
  return false;
}

/** Why a glob cannot be used in a policy, or undefined when it can. */
export function globProblem(glob: string): string | undefined {
  if (glob.startsWith("/")) return "a path relative to the root, without a leading /";
  if (glob.startsWith("!")) return "a glob without a leading ! (list it under exclude instead)";
  if (glob.endsWith("/")) return `a glob of files, not a folder (such as ${glob}**)`;
  const segments = glob.split("/");
  if (segments.includes("")) return "a glob without empty path parts (//)";
  if (segments.some((part) => part === "." || part === "..")) {
    return "a glob without . or .. path parts";
  }
  return unbalanced(glob) ?? unparsable(glob);
}

/** The first bracket, brace or parenthesis left open or closed twice. */
function unbalanced(glob: string): string | undefined {
  const open: string[] = [];
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === "\\") {
      i++;
      continue;
    }
    if (char in PAIRS) open.push(char);
    if (!CLOSERS.has(char)) continue;
    const opener = open.pop();
    if (opener === undefined || PAIRS[opener] !== char) {
      return `balanced brackets, braces and parentheses (${char} at column ${i + 1} closes nothing)`;
    }
  }
  const left = open.pop();
  if (left === undefined) return undefined;
  return `balanced brackets, braces and parentheses (${left} is never closed)`;
}

function unparsable(glob: string): string | undefined {
  try {
    picomatch.makeRe(glob, GLOB_OPTIONS);
    return undefined;
  } catch (error) {
    return `a glob picomatch can read (${(error as Error).message})`;
  }
}
