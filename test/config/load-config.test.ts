import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load-config.js";
import { UsageError } from "../../src/errors.js";

const MINIMAL = `roots:
  data: /srv/data
targets:
  archive:
    endpoint: http://127.0.0.1:7480
    bucket: site-archive
`;

function failure(text: string, env: Record<string, string> = {}): UsageError {
  try {
    parseConfig("/etc/givre/givre.yaml", text, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected the config to be refused");
}

describe("parseConfig", () => {
  it("fills every documented default", () => {
    const config = parseConfig("/etc/givre/givre.yaml", MINIMAL, {});
    expect(config.stateDir).toBe("/var/lib/givre");
    expect(config.policies).toBe("/etc/givre/policies");
    expect(config.catalog).toBe("sqlite");
    expect(config.roots).toEqual({ data: "/srv/data" });
    expect(config.targets.archive).toEqual({
      name: "archive",
      endpoint: "http://127.0.0.1:7480",
      region: "us-east-1",
      bucket: "site-archive",
      pathStyle: true,
      checksums: "compat",
      maxParts: 10_000,
      profile: undefined,
      concurrency: 32,
      multipartThreshold: 64 * 1024 * 1024,
      partSize: 16 * 1024 * 1024,
    });
    expect(config.serve).toMatchObject({
      host: "127.0.0.1",
      port: 8470,
      delivery: "stream",
      prefixes: {},
    });
    expect(config.manifests).toEqual({ flushFiles: 1000, flushInterval: 60_000 });
    expect(Object.isFrozen(config.targets.archive)).toBe(true);
  });

  it("defaults an AWS target to aws checksums and virtual-host style", () => {
    const config = parseConfig(
      "f.yaml",
      "targets:\n  aws:\n    bucket: my-bucket\n    region: eu-west-3\n",
      {},
    );
    expect(config.targets.aws).toMatchObject({
      endpoint: undefined,
      checksums: "aws",
      pathStyle: false,
    });
  });

  it("lets the environment override the state folder, policies and catalog", () => {
    const env = {
      GIVRE_STATE_DIR: "/tmp/s",
      GIVRE_POLICIES: "/tmp/p",
      GIVRE_CATALOG: "sqlite:/tmp/c.db",
    };
    const config = parseConfig("f.yaml", MINIMAL, env);
    expect([config.stateDir, config.policies, config.catalog]).toEqual([
      "/tmp/s",
      "/tmp/p",
      "sqlite:/tmp/c.db",
    ]);
  });

  it("names file, line and key for a typo, with a guess", () => {
    const error = failure(MINIMAL.replace("bucket:", "buckte:"));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      '/etc/givre/givre.yaml:6: unknown key "buckte" in targets.archive (did you mean "bucket"?); ' +
        "expected one of endpoint, region, bucket, path_style, checksums, max_parts, profile, " +
        "concurrency, multipart_threshold, part_size",
    );
  });

  it("names the line of a missing required field's parent", () => {
    const error = failure("targets:\n  archive:\n    endpoint: http://x:1\n");
    expect(error.message).toBe(
      "/etc/givre/givre.yaml:2: targets.archive.bucket: missing; expected a string",
    );
  });

  it("says what was expected and what was found", () => {
    expect(failure(MINIMAL + "    checksums: sha1\n").message).toBe(
      '/etc/givre/givre.yaml:7: targets.archive.checksums: expected one of compat, aws, found "sha1"',
    );
    expect(failure(MINIMAL + "    max_parts: 20000\n").message).toBe(
      "/etc/givre/givre.yaml:7: targets.archive.max_parts: expected a whole number from 1 to 10000, found 20000",
    );
    expect(failure(MINIMAL + "    part_size: 1MiB\n").message).toBe(
      "/etc/givre/givre.yaml:7: targets.archive.part_size: expected at least 5MiB (S3's smallest part), found 1048576",
    );
    expect(failure(MINIMAL + "state_dir: relative/path\n").message).toBe(
      '/etc/givre/givre.yaml:7: state_dir: expected an absolute path, found "relative/path"',
    );
  });

  it("refuses a serve prefix that names no root", () => {
    const error = failure(MINIMAL + "serve:\n  prefixes:\n    /data/: tiles\n");
    expect(error.message).toBe(
      '/etc/givre/givre.yaml:9: serve.prefixes./data/: expected a root named in roots (data), found "tiles"',
    );
  });

  it("reports YAML syntax errors with their line", () => {
    const error = failure("roots:\n  data: /srv\n bad: [\n");
    expect(error.code).toBe("YAML_SYNTAX");
    expect(error.message).toMatch(/^\/etc\/givre\/givre\.yaml:3: invalid YAML: /);
  });
});
