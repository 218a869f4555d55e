import { createHash } from "node:crypto";

const BLOCK = 512;

export interface PackMember {
  name: string;
  content: Buffer;
  mtime: Date;
  mode: number;
}

export interface BuiltPack {
  tar: Buffer;
  /** Where each member's data starts in the tar, and its length. */
  members: { name: string; offset: number; length: number; sha256: string }[];
}

/**
 * A plain POSIX (ustar) tar, written here so that restore of pack members
 * is tested against a real tar layout before givre's own pack writer
 * exists. Names are kept under 100 bytes (no pax headers needed).
 */
export function buildTar(members: readonly PackMember[]): BuiltPack {
  const blocks: Buffer[] = [];
  const placed: BuiltPack["members"] = [];
  let offset = 0;
  for (const member of members) {
    blocks.push(header(member));
    offset += BLOCK;
    placed.push({
      name: member.name,
      offset,
      length: member.content.length,
      sha256: createHash("sha256").update(member.content).digest("hex"),
    });
    const padded = Math.ceil(member.content.length / BLOCK) * BLOCK;
    blocks.push(Buffer.concat([member.content, Buffer.alloc(padded - member.content.length)]));
    offset += padded;
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  return { tar: Buffer.concat(blocks), members: placed };
}

function header(member: PackMember): Buffer {
  const block = Buffer.alloc(BLOCK);
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, "0");
  block.write(member.name, 0, 100, "utf8");
  block.write(octal(member.mode, 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(member.content.length, 12), 124);
  block.write(octal(Math.floor(member.mtime.getTime() / 1000), 12), 136);
  block.write("        ", 148);
  block.write("0", 156);
  block.write("ustar\u000000", 257);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${octal(sum, 7)}\0`, 148);
  return block;
}
