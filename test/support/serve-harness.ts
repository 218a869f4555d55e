import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CatalogEntry } from "../../src/catalog/catalog.js";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import type { GivreConfig } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/load-config.js";
import { createLogger, type Logger } from "../../src/log/logger.js";
import { LookupServer, type LookupServerDeps } from "../../src/serve/lookup-server.js";
import { minioClient, s3UnderTest } from "./s3.js";

export interface ServeHarness {
  dir: string;
  configFile: string;
  config: GivreConfig;
  catalog: SqliteCatalog;
  server: LookupServer;
  url: string;
  /** Puts rows straight into the catalog. */
  put(...entries: CatalogEntry[]): Promise<void>;
  /** Uploads an object with the independent client. */
  upload(key: string, body: Buffer | string, storageClass?: string): Promise<void>;
  /** URLs presigned so far, from /metrics. */
  signatures(): Promise<number>;
  close(): Promise<void>;
}

/** Serve YAML for a harness: `serve:` body lines, indented by two. */
export function serveYaml(lines: string): string {
  return `serve:\n  listen: 127.0.0.1:0\n  prefixes: { /data/: data, /maps/tiles/: tiles }\n${lines}`;
}

/**
 * givre serve in-process on a spare port, over a fresh SQLite catalog and
 * a bucket of the S3 under test. Rows and objects are put by the test.
 */
export async function startServeHarness(
  bucket: string,
  serve = serveYaml(""),
  deps: Partial<LookupServerDeps> = {},
): Promise<ServeHarness> {
  const s3 = s3UnderTest();
  process.env.AWS_ACCESS_KEY_ID = s3.accessKey;
  process.env.AWS_SECRET_ACCESS_KEY = s3.secretKey;
  const dir = mkdtempSync(join(tmpdir(), "givre-serve-"));
  mkdirSync(join(dir, "state"));
  const configFile = join(dir, "givre.yaml");
  writeFileSync(configFile, configText(dir, bucket, serve));
  const config = parseConfig(configFile, configText(dir, bucket, serve), {});
  const catalog = new SqliteCatalog(join(dir, "state", "catalog.db"));
  const log: Logger = deps.log ?? createLogger({ level: "silent", pretty: false });
  const server = await LookupServer.start(config, { catalog, log, ...deps });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    dir,
    configFile,
    config,
    catalog,
    server,
    url,
    put: (...entries) => catalog.putMany(entries),
    async upload(key, body, storageClass) {
      const metadata = storageClass ? { "x-amz-storage-class": storageClass } : {};
      const bytes = Buffer.from(body);
      await minioClient().putObject(bucket, key, bytes, bytes.length, metadata);
    },
    async signatures() {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/^givre_serve_signatures_total (\d+)$/m.exec(text)?.[1]);
    },
    async close() {
      await server.close();
      await catalog.close();
    },
  };
}

export function configText(dir: string, bucket: string, serve: string): string {
  const s3 = s3UnderTest();
  return `state_dir: ${join(dir, "state")}
roots:
  data: ${join(dir, "data")}
  tiles: ${join(dir, "tiles")}
targets:
  archive:
    endpoint: ${s3.endpoint}
    region: ${s3.region}
    bucket: ${bucket}
${serve}`;
}

/** A catalog row of an archived plain object; override what the test needs. */
export function archivedEntry(bucket: string, overrides: Partial<CatalogEntry>): CatalogEntry {
  const path = overrides.path ?? "radar/a.png";
  return {
    root: "data",
    path,
    state: "archived",
    size: 0,
    mtimeMs: Date.UTC(2019, 5, 1, 12, 0, 0),
    mode: 0o644,
    sha256: "0".repeat(64),
    target: "archive",
    bucket,
    key: `data/${path}`,
    offset: null,
    length: null,
    etag: null,
    storageClass: "STANDARD",
    policy: "radar",
    runId: "test-run",
    manifestKey: null,
    updatedAt: Date.now(),
    ...overrides,
  };
}
