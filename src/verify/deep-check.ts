import { createHash, type Hash } from "node:crypto";
import type { CatalogEntry } from "../catalog/catalog.js";
import { errorMessage } from "../errors.js";
import type { ObjectReader } from "../storage/direct-read.js";
import { packReads, plainRead, type Member } from "../restore/read-plan.js";
import { cutSpan, type MemberSink } from "../restore/span-cutter.js";
import type { ObjectGroup } from "./object-check.js";
import type { VerifyProblem } from "./verify-report.js";

/**
 * --deep: reads the bytes and hashes them against the catalog's SHA-256,
 * with the same one-GET-per-span reading as restore (so a pack is read
 * once, and each checked member's range is hashed on its own).
 * Returns the problems and the number of GETs made.
 */
export async function deepCheck(
  reader: ObjectReader,
  group: ObjectGroup,
  signal?: AbortSignal,
): Promise<{ problems: VerifyProblem[]; gets: number }> {
  const problems: VerifyProblem[] = [];
  const corrupt = (entry: CatalogEntry, detail: string) =>
    problems.push({
      kind: "corrupt",
      paths: [`${entry.root}/${entry.path}`],
      key: group.key,
      detail,
    });
  const withBytes = group.entries.filter((entry) => entry.size > 0);
  const reads = group.isPack
    ? packReads(withBytes)
    : withBytes.length
      ? [plainRead(withBytes[0]!)]
      : [];
  let gets = 0;
  for (const read of reads) {
    const body = await reader.open(read.key, read.range, signal);
    gets++;
    try {
      const { unreached, error } = await cutSpan(body.body, read.range?.start ?? 0, read.members, {
        open: async (member) => hashSink(member),
        failed: (member, failure) => corrupt(member.entry, errorMessage(failure)),
        done: () => {},
      });
      const reason = error ? errorMessage(error) : "the object ended early";
      unreached.forEach((member) => corrupt(member.entry, `not read to the end: ${reason}`));
    } finally {
      body.destroy();
    }
  }
  for (const entry of group.entries.filter((e) => e.size === 0 && e.sha256 !== EMPTY_SHA256)) {
    corrupt(entry, `an empty file, but the catalog's SHA-256 is ${entry.sha256}`);
  }
  return { problems, gets };
}

const EMPTY_SHA256 = createHash("sha256").digest("hex");

function hashSink(member: Member): MemberSink {
  const hash: Hash = createHash("sha256");
  let bytes = 0;
  return {
    write: async (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
    },
    finish: async () => {
      const found = hash.digest("hex");
      if (bytes !== member.length) throw new Error(`read ${bytes} bytes, catalog ${member.length}`);
      if (found !== member.entry.sha256) {
        throw new Error(`SHA-256 of the bytes is ${found}, catalog ${member.entry.sha256}`);
      }
    },
    abandon: async () => {},
  };
}
