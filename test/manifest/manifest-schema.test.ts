import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { testPolicy } from "../support/candidates.js";
import { writeTree } from "../support/givre-process.js";
import { runHarness } from "../support/run-harness.js";
import { createTestBucket, listObjects, readObject } from "../support/s3.js";

const ROOT = join(import.meta.dirname, "../..");
const schema = JSON.parse(readFileSync(join(ROOT, "manifests/schema.json"), "utf8")) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile(
  schema,
);

function jsonLines(text: string): unknown[] {
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as unknown);
}

describe("manifests/schema.json", () => {
  it("accepts the shipped example", () => {
    const lines = jsonLines(readFileSync(join(ROOT, "manifests/example.jsonl"), "utf8"));
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(validate(line), JSON.stringify(validate.errors)).toBe(true);
  });

  it("accepts every line a real run writes, plain objects and pack members alike", async () => {
    const bucket = await createTestBucket("schema");
    const harness = runHarness(bucket);
    const old = new Date(Date.UTC(2019, 5, 1));
    writeTree(
      harness.dataDir,
      { "radar/a.png": "a", "radar/b.png": "bb", "big/ü.bin": Buffer.alloc(300_000) },
      old,
    );
    const policy = testPolicy({
      pack: { group: "{dir}", smallerThan: 1024, maxSize: 1 << 30, maxFiles: 100 },
    });

    await harness.run(policy);

    const segments = await listObjects(bucket, "data/.givre/manifests/");
    const lines = (
      await Promise.all(
        segments.map(async (item) => jsonLines((await readObject(bucket, item.name!)).toString())),
      )
    ).flat();
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(validate(line), JSON.stringify(validate.errors)).toBe(true);
    await harness.close();
  });

  it("refuses a line that escapes its root or misses a field", () => {
    const good = jsonLines(
      readFileSync(join(ROOT, "manifests/example.jsonl"), "utf8"),
    )[1] as Record<string, unknown>;
    expect(validate({ ...good, path: "../etc/passwd" })).toBe(false);
    expect(validate({ ...good, path: "/etc/passwd" })).toBe(false);
    expect(validate({ ...good, offset: 10 })).toBe(false);
    const { sha256: _sha256, ...missing } = good;
    expect(validate(missing)).toBe(false);
  });
});
