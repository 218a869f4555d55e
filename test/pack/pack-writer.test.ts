import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { PackWriter } from "../../src/pack/pack-writer.js";

const LONG = `${"a".repeat(60)}/${"b".repeat(60)}/${"c".repeat(60)}/${"d".repeat(13)}.png`;
const MEMBERS = [
  {
    name: "radar/reflectivity/2019/06/01/img_0005.png",
    data: Buffer.from("radar bytes"),
    mode: 0o644,
  },
  { name: "odd/météo ☔ 雨.png", data: Buffer.from("utf-8 name"), mode: 0o600 },
  { name: LONG, data: Buffer.alloc(1500, 7), mode: 0o640 },
  { name: "empty/nothing.dat", data: Buffer.alloc(0), mode: 0o644 },
  { name: "exact/block.bin", data: Buffer.alloc(512, 1), mode: 0o755 },
];
const MTIME = Date.UTC(2019, 5, 1, 12, 0, 5);

async function writePack() {
  const writer = new PackWriter();
  const bytes = buffer(writer.output);
  const places = [];
  for (const member of MEMBERS) {
    places.push(
      await writer.add({ name: member.name, mode: member.mode, mtimeMs: MTIME }, member.data),
    );
  }
  await writer.finish();
  return { tar: await bytes, places, size: writer.size };
}

describe("PackWriter", () => {
  it("writes a tar that GNU tar lists with every name, UTF-8 and 200-character ones included", async () => {
    const { tar, size } = await writePack();
    const dir = mkdtempSync(join(tmpdir(), "givre-pack-"));
    writeFileSync(join(dir, "pack.tar"), tar);

    const listed = execFileSync("tar", ["-tf", join(dir, "pack.tar")])
      .toString()
      .trim()
      .split("\n");

    expect(listed).toEqual(MEMBERS.map((member) => member.name));
    expect(LONG.length).toBe(200);
    expect(tar.length).toBe(size);
    expect(size % 512).toBe(0);
  });

  it("extracts with GNU tar to the original bytes, modes and mtimes", async () => {
    const { tar } = await writePack();
    const dir = mkdtempSync(join(tmpdir(), "givre-pack-"));
    writeFileSync(join(dir, "pack.tar"), tar);

    execFileSync("tar", ["-xf", "pack.tar", "--no-same-owner"], { cwd: dir });

    for (const member of MEMBERS) {
      const file = join(dir, member.name);
      expect(readFileSync(file).equals(member.data)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(member.mode);
      expect(Math.floor(statSync(file).mtimeMs / 1000)).toBe(MTIME / 1000);
    }
  });

  it("records where each member's data sits: the bytes at offset, length", async () => {
    const { tar, places } = await writePack();

    for (const [index, member] of MEMBERS.entries()) {
      const place = places[index]!;
      expect(place.length).toBe(member.data.length);
      expect(tar.subarray(place.offset, place.offset + place.length).equals(member.data)).toBe(
        true,
      );
    }
  });
});
