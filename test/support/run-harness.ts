import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import { parseConfig } from "../../src/config/load-config.js";
import type { GivreConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/log/logger.js";
import type { Policy } from "../../src/policy/policy.js";
import { StorageRegistry } from "../../src/storage/target-storage.js";
import { TieringRun, type RunOptions } from "../../src/tiering/tiering-run.js";
import type { RunSummary } from "../../src/tiering/run-summary.js";
import { candidatesOf, streamOf } from "./candidates.js";
import { s3UnderTest } from "./s3.js";

export interface RunHarness {
  dir: string;
  dataDir: string;
  config: GivreConfig;
  catalog: SqliteCatalog;
  /** Runs givre's tiering on every file under the data root with `policy`. */
  run(policy: Policy, options?: RunOptions): Promise<RunSummary>;
  close(): Promise<void>;
}

/**
 * The run, in-process, against the S3 under test and a fresh SQLite
 * catalog: for suites that need to look inside (counts, rows) rather than
 * at the CLI. Credentials reach the SDK through the environment.
 */
export function runHarness(bucket: string, targetYaml = "", extraYaml = ""): RunHarness {
  const s3 = s3UnderTest();
  process.env.AWS_ACCESS_KEY_ID = s3.accessKey;
  process.env.AWS_SECRET_ACCESS_KEY = s3.secretKey;
  const dir = mkdtempSync(join(tmpdir(), "givre-run-"));
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  const yaml = `state_dir: ${join(dir, "state")}
roots:
  data: ${dataDir}
targets:
  archive:
    endpoint: ${s3.endpoint}
    region: ${s3.region}
    bucket: ${bucket}
${targetYaml}${extraYaml}`;
  const config = parseConfig(join(dir, "givre.yaml"), yaml, {});
  mkdirSync(config.stateDir);
  const catalog = new SqliteCatalog(join(config.stateDir, "catalog.db"));
  const log = createLogger({ level: "silent", pretty: false });
  return {
    dir,
    dataDir,
    config,
    catalog,
    async run(policy, options = {}) {
      const storage = new StorageRegistry(config);
      try {
        const run = new TieringRun({ config, catalog, storage, log, policies: [policy] }, options);
        return await run.execute(streamOf(candidatesOf(dataDir, policy)));
      } finally {
        storage.destroy();
      }
    },
    close: () => catalog.close(),
  };
}
