import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WholeFileReader } from "../../src/tiering/whole-file-reader.js";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe("WholeFileReader", () => {
  const dir = mkdtempSync(join(tmpdir(), "givre-reader-"));
  const reader = new WholeFileReader();
  afterAll(() => reader.close());

  it("reads many files at once, each with its own bytes and SHA-256", async () => {
    const contents = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000 + i * 97, i));
    contents.forEach((data, i) => writeFileSync(join(dir, `image_${i}.png`), data));

    const files = await Promise.all(
      contents.map((data, i) => reader.read(join(dir, `image_${i}.png`), data.length)),
    );

    files.forEach((file, i) => {
      expect(file).toEqual({ changed: false, data: contents[i], sha256: sha256(contents[i]!) });
    });
  });

  it("reads an empty file", async () => {
    writeFileSync(join(dir, "empty"), "");

    expect(await reader.read(join(dir, "empty"), 0)).toEqual({
      changed: false,
      data: Buffer.alloc(0),
      sha256: sha256(Buffer.alloc(0)),
    });
  });

  it("says a file changed, with the size found, when it grew or shrank since the scan", async () => {
    writeFileSync(join(dir, "grown"), Buffer.alloc(5000, 1));
    writeFileSync(join(dir, "shrunk"), Buffer.alloc(300, 1));

    expect(await reader.read(join(dir, "grown"), 4000)).toEqual({ changed: true, size: 5000 });
    expect(await reader.read(join(dir, "shrunk"), 4000)).toEqual({ changed: true, size: 300 });
  });

  it("rejects a missing file with fs's code, system call and path", async () => {
    const path = join(dir, "gone.png");

    await expect(reader.read(path, 10)).rejects.toMatchObject({
      code: "ENOENT",
      syscall: "open",
      path,
      message: `ENOENT: no such file or directory, open '${path}'`,
    });
  });
});
