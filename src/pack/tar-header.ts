/**
 * POSIX tar (ustar) headers, with a pax extended header in front when a
 * name does not fit ustar's fields or is not ASCII. A pack written this
 * way lists and extracts with plain GNU or BSD tar.
 */

export const BLOCK = 512;
/** A tar archive ends with two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

const NAME_FIELD = 100;
const PREFIX_FIELD = 155;
/** ustar's 11 octal digits hold sizes below 8 GiB. */
const MAX_USTAR_SIZE = 8 ** 11 - 1;

export interface TarMember {
  /** Path inside the archive, `/`-separated, relative. */
  name: string;
  size: number;
  /** Permission bits. */
  mode: number;
  mtimeMs: number;
}

/** The header blocks that go before a member's data (ustar, or pax + ustar). */
export function memberHeader(member: TarMember): Buffer {
  const split = splitUstarName(member.name);
  const needsPax = !split || member.size > MAX_USTAR_SIZE;
  const ustar = ustarHeader({
    name: split?.name ?? ustarFallbackName(member.name),
    prefix: split?.prefix ?? "",
    size: member.size > MAX_USTAR_SIZE ? 0 : member.size,
    mode: member.mode,
    mtime: Math.floor(member.mtimeMs / 1000),
    type: "0",
  });
  if (!needsPax) return ustar;
  const records: [string, string][] = [["path", member.name]];
  if (member.size > MAX_USTAR_SIZE) records.push(["size", String(member.size)]);
  records.push(["mtime", (member.mtimeMs / 1000).toFixed(3)]);
  return Buffer.concat([paxHeader(records), ustar]);
}

/** Zero bytes that pad `size` bytes of data to a whole block. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

function paxHeader(records: [string, string][]): Buffer {
  const body = Buffer.from(records.map(([key, value]) => paxRecord(key, value)).join(""));
  const header = ustarHeader({
    name: "././@PaxHeader",
    prefix: "",
    size: body.length,
    mode: 0o644,
    mtime: 0,
    type: "x",
  });
  return Buffer.concat([header, body, padding(body.length)]);
}

/** `"<len> key=value\n"` where len counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const payload = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(payload);
  let length = bytes + 1;
  while (length !== bytes + String(length).length) length = bytes + String(length).length;
  return `${length}${payload}`;
}

/** ustar's name/prefix split, or undefined when the name needs pax. */
function splitUstarName(name: string): { name: string; prefix: string } | undefined {
  if (!/^[\x20-\x7e]*$/.test(name)) return undefined;
  if (name.length <= NAME_FIELD) return { name, prefix: "" };
  for (let cut = name.indexOf("/"); cut >= 0; cut = name.indexOf("/", cut + 1)) {
    if (cut <= PREFIX_FIELD && name.length - cut - 1 <= NAME_FIELD) {
      return { prefix: name.slice(0, cut), name: name.slice(cut + 1) };
    }
  }
  return undefined;
}

/** What a tar without pax support would show: the ASCII tail of the name. */
function ustarFallbackName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, "_").slice(-NAME_FIELD);
}

interface UstarFields {
  name: string;
  prefix: string;
  size: number;
  mode: number;
  mtime: number;
  type: string;
}

function ustarHeader(fields: UstarFields): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(fields.name, 0, NAME_FIELD, "utf8");
  writeOctal(header, fields.mode & 0o7777, 100, 8);
  writeOctal(header, 0, 108, 8);
  writeOctal(header, 0, 116, 8);
  writeOctal(header, fields.size, 124, 12);
  writeOctal(header, fields.mtime, 136, 12);
  header.write("        ", 148, 8, "ascii");
  header.write(fields.type, 156, 1, "ascii");
  header.write("ustar\u000000", 257, 8, "ascii");
  header.write(fields.prefix, 345, PREFIX_FIELD, "utf8");
  let sum = 0;
  for (const byte of header) sum += byte;
  writeOctal(header, sum, 148, 7);
  return header;
}

/** Octal, zero-padded, NUL-terminated, in a field of `width` bytes. */
function writeOctal(header: Buffer, value: number, offset: number, width: number): void {
  header.write(`${value.toString(8).padStart(width - 1, "0")}\u0000`, offset, width, "ascii");
}
