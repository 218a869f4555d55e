import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { claimServiceDir, reapOrphans } from "../services/orphans.js";
import { startCephGateway, type S3Endpoint } from "../services/ceph-gateway.js";
import { startPostgres } from "../services/postgres.js";
import { removeTree } from "../services/remove-tree.js";

const RUN_FOLDER_PREFIX = "givre-tests-";

declare module "vitest" {
  export interface ProvidedContext {
    s3: S3Endpoint;
    postgresUrl: string;
  }
}

/**
 * Starts the real servers the suites talk to, once for the whole run:
 * the local Ceph RADOS Gateway (unless GIVRE_TEST_S3_ENDPOINT points at
 * another S3, e.g. MinIO from docker-compose.yml or AWS) and PostgreSQL
 * (unless GIVRE_TEST_POSTGRES_URL is given).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => void)[] = [];
  const s3 = await s3UnderTest(stops);
  const postgresUrl = await postgresUnderTest(stops);
  project.provide("s3", s3);
  project.provide("postgresUrl", postgresUrl);
  stops.push(useRunTempFolder());
  return async () => stops.reverse().forEach((stop) => stop());
}

/**
 * Suites make temp folders freely; they all land in one folder of this
 * run (TMPDIR, inherited by the test workers), removed at the end. The
 * services above stay in the system's temp folder, where a later run
 * finds them if this one is killed.
 */
function useRunTempFolder(): () => void {
  reapOrphans(RUN_FOLDER_PREFIX, () => {});
  const folder = mkdtempSync(join(tmpdir(), RUN_FOLDER_PREFIX));
  // Some suites run givre as another user (nobody) on folders inside.
  chmodSync(folder, 0o755);
  claimServiceDir(folder);
  const previous = process.env.TMPDIR;
  process.env.GIVRE_SERVICES_TMPDIR ??= tmpdir();
  process.env.TMPDIR = folder;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    removeTree(folder);
  };
}

async function s3UnderTest(stops: (() => void)[]): Promise<S3Endpoint> {
  const endpoint = process.env.GIVRE_TEST_S3_ENDPOINT;
  if (endpoint) {
    const s3 = {
      endpoint,
      region: process.env.GIVRE_TEST_S3_REGION ?? "us-east-1",
      accessKey: required("GIVRE_TEST_S3_ACCESS_KEY"),
      secretKey: required("GIVRE_TEST_S3_SECRET_KEY"),
      description: `S3 from GIVRE_TEST_S3_ENDPOINT at ${endpoint}`,
    };
    console.log(`[services] S3 under test: ${s3.description}`);
    return s3;
  }
  const started = Date.now();
  const gateway = await startCephGateway();
  stops.push(() => gateway.stop());
  console.log(
    `[services] S3 under test: ${gateway.description} (up in ${Date.now() - started} ms)`,
  );
  const { dir: _dir, stop: _stop, ...s3 } = gateway;
  return s3;
}

async function postgresUnderTest(stops: (() => void)[]): Promise<string> {
  const given = process.env.GIVRE_TEST_POSTGRES_URL;
  if (given) return given;
  const server = await startPostgres();
  stops.push(() => server.stop());
  console.log(`[services] PostgreSQL under test: ${server.description}`);
  return server.url;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`GIVRE_TEST_S3_ENDPOINT is set, so ${name} must be too`);
  return value;
}
