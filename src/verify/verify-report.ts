/** What can be wrong with an archived file's object. */
export type ProblemKind = "missing" | "mismatch" | "corrupt" | "unreadable";

export interface VerifyProblem {
  kind: ProblemKind;
  /** `<root>/<path>` of every file the problem concerns (a pack: its members checked). */
  paths: string[];
  key: string;
  /** What was expected and what was found. */
  detail: string;
}

export interface VerifyReport {
  /** Catalog entries checked, and the objects holding them. */
  entries: number;
  objects: number;
  /** Requests made: listings (1,000 keys each), HEADs, tag reads, GETs. */
  requests: { listings: number; heads: number; tags: number; gets: number };
  /** Cold objects whose bytes were not read by --deep (a thaw would be needed). */
  coldNotRead: number;
  problems: VerifyProblem[];
  elapsedMs: number;
}

export function emptyVerifyReport(): VerifyReport {
  return {
    entries: 0,
    objects: 0,
    requests: { listings: 0, heads: 0, tags: 0, gets: 0 },
    coldNotRead: 0,
    problems: [],
    elapsedMs: 0,
  };
}

/** The report as an admin reads it: one line per problem, then the totals. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = report.problems.map((problem) => {
    const files =
      problem.paths.length > 3 ? `${problem.paths.length} files` : problem.paths.join(", ");
    return `${problem.kind.padEnd(10)} ${files} (object ${problem.key}): ${problem.detail}`;
  });
  const { listings, heads, tags, gets } = report.requests;
  const requests = `${listings} listings, ${heads} HEADs, ${tags} tag reads, ${gets} GETs`;
  const count = report.problems.length;
  lines.push(
    `checked ${report.entries} files in ${report.objects} objects (${requests}): ${count === 0 ? "all good" : `${count} problem${count === 1 ? "" : "s"}`}`,
  );
  if (report.coldNotRead) {
    lines.push(`not read  ${report.coldNotRead} cold objects (--deep needs them thawed)`);
  }
  return `${lines.join("\n")}\n`;
}
