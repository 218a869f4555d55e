import type { CatalogEntry } from "../catalog/catalog.js";

/**
 * Two selected members of a pack further apart than this are read with
 * two ranged GETs instead of one: reading (and throwing away) up to 8 MiB
 * costs less than a request's round trip only up to about there.
 */
export const MAX_SPAN_GAP = 8 * 1024 * 1024;

/** One file to cut out of a read: where its bytes start in the object, and how many. */
export interface Member {
  entry: CatalogEntry;
  offset: number;
  length: number;
}

/**
 * One GET: a whole object (a plain file, `range` undefined) or a byte
 * range of a pack covering one or more members, sorted by offset and not
 * overlapping.
 */
export interface ObjectRead {
  target: string;
  bucket: string;
  key: string;
  range: { start: number; end: number } | undefined;
  members: Member[];
}

export function plainRead(entry: CatalogEntry): ObjectRead {
  return {
    target: entry.target,
    bucket: entry.bucket,
    key: entry.key,
    range: undefined,
    members: [{ entry, offset: 0, length: entry.size }],
  };
}

/**
 * The reads that fetch the selected members of one pack: members sorted
 * by offset, cut into spans where the gap is wide (or where two members
 * overlap, which a real tar never has, so a bad catalog cannot make one
 * member's bytes feed another). Empty members need no bytes and no read:
 * the caller writes them without a GET.
 */
export function packReads(members: readonly CatalogEntry[]): ObjectRead[] {
  const sorted = members
    .filter((entry) => (entry.length ?? entry.size) > 0)
    .map((entry) => ({ entry, offset: entry.offset ?? 0, length: entry.length ?? entry.size }))
    .sort((a, b) => a.offset - b.offset);
  const reads: ObjectRead[] = [];
  let current: ObjectRead | undefined;
  for (const member of sorted) {
    const end = current?.range?.end ?? -1;
    if (!current || member.offset <= end || member.offset - end - 1 > MAX_SPAN_GAP) {
      current = spanRead(member);
      reads.push(current);
      continue;
    }
    current.members.push(member);
    current.range!.end = Math.max(end, member.offset + member.length - 1);
  }
  return reads;
}

function spanRead(member: Member): ObjectRead {
  const { entry } = member;
  return {
    target: entry.target,
    bucket: entry.bucket,
    key: entry.key,
    range: { start: member.offset, end: member.offset + member.length - 1 },
    members: [member],
  };
}
