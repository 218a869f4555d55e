import { readFileSync, writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { listObjects, createTestBucket } from "../support/s3.js";
import { makeWorkspace, runGivre, type Workspace } from "../support/givre-process.js";

describe("givre doctor", () => {
  let workspace: Workspace;
  let bucket: string;

  beforeAll(async () => {
    bucket = await createTestBucket("doctor");
    workspace = makeWorkspace(bucket);
  });

  it("exits 0 and lists what the gateway supports", async () => {
    const result = await runGivre(["--config", workspace.configFile, "doctor"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      `config   ${workspace.configFile}: ok`,
      `root     data (${workspace.dataDir}): readable`,
      `catalog  sqlite ${workspace.stateDir}/catalog.db: opens`,
      "target   archive: reachable, credentials accepted, bucket exists",
      "  probe object written, read back, deleted: yes",
      "  single PUT ETag is the MD5 of the body: yes",
      "  multipart ETag is md5-of-md5s-N:        yes",
      expect.stringMatching(/^ {2}flexible checksums \(SHA-256\) echoed: {5}(yes|no)$/),
      expect.stringMatching(/^ {2}clock skew: -?\d+ s$/),
      "healthy",
      "",
    ]);
    expect(await listObjects(bucket)).toEqual([]);
  });

  it("exits 4 naming the secret key when it is wrong", async () => {
    const result = await runGivre(["--config", workspace.configFile, "doctor"], {
      AWS_SECRET_ACCESS_KEY: "wrong",
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("the secret key was refused (signature does not match)");
    expect(result.stderr).toContain("fix: check AWS_SECRET_ACCESS_KEY");
  });

  it("exits 4 naming the access key when the server does not know it", async () => {
    const result = await runGivre(["--config", workspace.configFile, "doctor"], {
      AWS_ACCESS_KEY_ID: "nobody",
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("the server does not know this access key");
  });

  it("exits 4 when the bucket does not exist", async () => {
    const other = makeWorkspace("givre-no-such-bucket");
    const result = await runGivre(["--config", other.configFile, "doctor"]);
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      `givre: target "archive" (${readEndpoint(other)}, bucket givre-no-such-bucket): the bucket does not exist\n` +
        "  fix: create bucket givre-no-such-bucket, or fix targets.archive.bucket\n",
    );
  });

  it("exits 4 when nothing listens at the endpoint", async () => {
    const other = makeWorkspace(bucket);
    const text = readFileSync(other.configFile, "utf8").replace(
      /endpoint: .*/,
      "endpoint: http://127.0.0.1:9",
    );
    writeFileSync(other.configFile, text);
    const result = await runGivre(["--config", other.configFile, "doctor"]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("unreachable (ECONNREFUSED)");
  });

  it("exits 2 naming file, line and key for a typo'd key", async () => {
    const other = makeWorkspace(bucket);
    writeFileSync(
      other.configFile,
      readFileSync(other.configFile, "utf8").replace("region:", "regoin:"),
    );
    const result = await runGivre(["--config", other.configFile, "doctor"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      new RegExp(
        `^givre: ${other.configFile}:8: unknown key "regoin" in targets.archive \\(did you mean "region"\\?\\)`,
      ),
    );
  });
});

function readEndpoint(workspace: Workspace): string {
  return /endpoint: (.*)/.exec(readFileSync(workspace.configFile, "utf8"))![1]!;
}
