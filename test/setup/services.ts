import type { TestProject } from "vitest/node";
import { startCephGateway, type S3Endpoint } from "../services/ceph-gateway.js";
import { startPostgres } from "../services/postgres.js";

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
  return async () => stops.reverse().forEach((stop) => stop());
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
