import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureDebianPackages } from "../services/debian-packages.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

describe("docker-compose.yml", () => {
  it("is valid for docker-compose, which parses it without an engine", () => {
    ensureDebianPackages(["docker-compose"], ["docker-compose"]);
    const services = execFileSync(
      "docker-compose",
      ["-f", join(ROOT, "docker-compose.yml"), "config", "--services"],
      {
        cwd: ROOT,
        env: { ...process.env, COMPOSE_PROJECT_NAME: "givre" },
      },
    ).toString();
    expect(services.trim().split("\n").sort()).toEqual(["bucket", "givre", "minio"]);
  });

  it("starts givre serve with the bundled config", () => {
    const config = execFileSync(
      "docker-compose",
      ["-f", join(ROOT, "docker-compose.yml"), "config"],
      { cwd: ROOT },
    );
    expect(config.toString()).toMatch(/command:\n\s+- serve\n/);
    expect(config.toString()).toContain("contrib/docker/givre.yaml:/etc/givre/givre.yaml:ro");
  });
});
