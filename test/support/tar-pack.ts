import { createHash } from "node:crypto";
import { buffer } from "node:stream/consumers";
import { PackWriter } from "../../src/pack/pack-writer.js";

export interface PackMember {
  name: string;
  content: Buffer;
  mtime: Date;
  mode: number;
}

/** A member with the epoch as mtime and mode 0644. */
export function member(name: string, content: Buffer | string): PackMember {
  return { name, content: Buffer.from(content), mtime: new Date(0), mode: 0o644 };
}

export interface BuiltPack {
  tar: Buffer;
  /** Where each member's data starts in the tar, its length and SHA-256. */
  members: { name: string; offset: number; length: number; sha256: string }[];
}

/**
 * A pack made in memory by givre's own PackWriter (whose output GNU tar
 * reads back in test/pack/pack-writer.test.ts), for suites that need a
 * pack in the bucket with catalog rows they write themselves.
 */
export async function buildTar(members: readonly PackMember[]): Promise<BuiltPack> {
  const writer = new PackWriter();
  const tar = buffer(writer.output);
  const placed: BuiltPack["members"] = [];
  for (const member of members) {
    const data = member.content;
    const mtimeMs = member.mtime.getTime();
    const place = await writer.add({ name: member.name, mode: member.mode, mtimeMs }, data);
    placed.push({
      name: member.name,
      ...place,
      sha256: createHash("sha256").update(data).digest("hex"),
    });
  }
  await writer.finish();
  return { tar: await tar, members: placed };
}
