/**
 * A plain POSIX (ustar) tar built in memory, with each member's data
 * offset: what a pack is, made by the tests themselves so that serving
 * members is checked before givre's own pack writer exists.
 */
export interface PackedMember {
  name: string;
  offset: number;
  length: number;
}

const BLOCK = 512;

export function buildTar(
  files: Record<string, Buffer | string>,
  mtime = new Date(0),
): {
  tar: Buffer;
  members: PackedMember[];
} {
  const blocks: Buffer[] = [];
  const members: PackedMember[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    blocks.push(header(name, data.length, mtime));
    offset += BLOCK;
    members.push({ name, offset, length: data.length });
    const padded = Buffer.alloc(Math.ceil(data.length / BLOCK) * BLOCK);
    data.copy(padded);
    blocks.push(padded);
    offset += padded.length;
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  return { tar: Buffer.concat(blocks), members };
}

function header(name: string, size: number, mtime: Date): Buffer {
  const block = Buffer.alloc(BLOCK);
  const put = (text: string, at: number, width: number) => block.write(text, at, width, "utf8");
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, "0");
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 12);
  put("        ", 148, 8);
  put("0", 156, 1);
  put("ustar\u000000", 257, 8);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${octal(sum, 7)}\u0000 `, 148, 8);
  return block;
}
