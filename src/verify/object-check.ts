import type { CatalogEntry } from "../catalog/catalog.js";
import type { ObjectHead } from "../storage/direct-read.js";
import { decodeMetadata } from "../storage/object-metadata.js";
import type { VerifyProblem } from "./verify-report.js";

/** An object and the catalog entries it holds: one file, or a pack's checked members. */
export interface ObjectGroup {
  target: string;
  bucket: string;
  key: string;
  entries: CatalogEntry[];
  isPack: boolean;
}

/** What a listing or a HEAD shows; metadata only from a HEAD. */
export type SeenObject = Pick<ObjectHead, "size" | "etag"> & { metadata?: ObjectHead["metadata"] };

export function pathsOf(group: ObjectGroup): string[] {
  return group.entries.map((entry) => `${entry.root}/${entry.path}`);
}

/**
 * Compares what the bucket shows with what the catalog recorded: size,
 * ETag, and (when a HEAD was made) givre's metadata. A pack's size is not
 * in the catalog: it must at least reach past its last checked member.
 */
export function checkSeen(group: ObjectGroup, seen: SeenObject | undefined): VerifyProblem[] {
  const problem = (kind: VerifyProblem["kind"], detail: string): VerifyProblem => ({
    kind,
    paths: pathsOf(group),
    key: group.key,
    detail,
  });
  if (!seen) return [problem("missing", `not in bucket ${group.bucket}`)];
  const first = group.entries[0]!;
  const problems: VerifyProblem[] = [];
  const end = group.isPack
    ? Math.max(...group.entries.map((entry) => (entry.offset ?? 0) + (entry.length ?? 0)))
    : first.size;
  if (group.isPack ? seen.size < end : seen.size !== end) {
    const expected = group.isPack ? `at least ${end}` : String(end);
    problems.push(problem("mismatch", `size: catalog ${expected} bytes, bucket ${seen.size}`));
  }
  if (first.etag !== null && seen.etag !== first.etag) {
    problems.push(
      problem("mismatch", `ETag: catalog ${first.etag}, bucket ${seen.etag ?? "none"}`),
    );
  }
  if (seen.metadata) problems.push(...checkMetadata(group, seen.metadata, problem));
  return problems;
}

function checkMetadata(
  group: ObjectGroup,
  raw: Record<string, string>,
  problem: (kind: VerifyProblem["kind"], detail: string) => VerifyProblem,
): VerifyProblem[] {
  if (group.isPack) {
    return raw["givre-pack"] === "tar"
      ? []
      : [
          problem(
            "mismatch",
            `metadata: givre-pack is ${raw["givre-pack"] ?? "absent"}, expected tar`,
          ),
        ];
  }
  const entry = group.entries[0]!;
  const found = decodeMetadata(raw);
  const problems: VerifyProblem[] = [];
  // A multipart object carries its SHA-256 as a tag, checked separately (checkTag).
  if (!isMultipart(entry) && found?.sha256 !== entry.sha256) {
    problems.push(
      problem(
        "mismatch",
        `metadata: givre-sha256 is ${found?.sha256 ?? "absent"}, catalog ${entry.sha256}`,
      ),
    );
  }
  const named = { root: raw["givre-root"], path: decodeURIComponent(raw["givre-path"] ?? "") };
  if (raw["givre-path"] !== undefined && (named.root !== entry.root || named.path !== entry.path)) {
    problems.push(problem("mismatch", `metadata: names ${named.root}/${named.path}`));
  }
  return problems;
}

/** The `givre-sha256` tag of a multipart object against the catalog. */
export function checkTag(group: ObjectGroup, tag: string | undefined): VerifyProblem[] {
  const entry = group.entries[0]!;
  if (tag === entry.sha256) return [];
  return [
    {
      kind: "mismatch",
      paths: pathsOf(group),
      key: group.key,
      detail: `tag: givre-sha256 is ${tag ?? "absent"}, catalog ${entry.sha256}`,
    },
  ];
}

/** Multipart objects have an ETag ending in `-<parts>`. */
export function isMultipart(entry: CatalogEntry): boolean {
  return /-\d+$/.test(entry.etag ?? "");
}
