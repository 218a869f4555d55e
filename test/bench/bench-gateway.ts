import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCephGateway, type CephGateway } from "../services/ceph-gateway.js";
import { ensureDebianPackages } from "../services/debian-packages.js";
import { minioClient } from "../support/s3.js";

let started: Promise<CephGateway> | undefined;

/** One local Ceph gateway for the whole bench run, started by the first part that needs it. */
export function benchGateway(): Promise<CephGateway> {
  started ??= startCephGateway();
  return started;
}

export async function stopBenchGateway(): Promise<void> {
  if (started) (await started).stop();
}

export async function makeBucket(gateway: CephGateway, name: string): Promise<string> {
  await minioClient(gateway).makeBucket(name, gateway.region);
  return name;
}

/**
 * rclone pointed at the gateway, and only there; Debian's rclone is
 * installed on first use. This environment sets AWS_CA_BUNDLE, which
 * makes rclone refuse to start, so it is removed.
 */
export function rclone(gateway: CephGateway, dir: string, args: readonly string[]): void {
  ensureDebianPackages(["rclone"], ["rclone"]);
  const config = join(dir, "rclone.conf");
  writeFileSync(
    config,
    `[gateway]
type = s3
provider = Ceph
access_key_id = ${gateway.accessKey}
secret_access_key = ${gateway.secretKey}
endpoint = ${gateway.endpoint}
region = ${gateway.region}
`,
  );
  const env = { ...process.env };
  delete env.AWS_CA_BUNDLE;
  execFileSync("rclone", ["--config", config, ...args], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** Env for a givre child talking to the gateway. */
export function givreEnv(gateway: CephGateway): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: gateway.accessKey,
    AWS_SECRET_ACCESS_KEY: gateway.secretKey,
  };
}
