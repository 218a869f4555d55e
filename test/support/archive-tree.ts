import { join } from "node:path";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import { loadConfig } from "../../src/config/load-config.js";
import { createLogger } from "../../src/log/logger.js";
import type { Policy } from "../../src/policy/policy.js";
import { StorageRegistry } from "../../src/storage/target-storage.js";
import type { RunSummary } from "../../src/tiering/run-summary.js";
import { TieringRun } from "../../src/tiering/tiering-run.js";
import { candidatesOf, streamOf } from "./candidates.js";
import type { Workspace } from "./givre-process.js";
import { s3UnderTest } from "./s3.js";

/**
 * Archives every file of a workspace's data root with givre's own run,
 * in-process, into the workspace's catalog: the state a CLI test of
 * restore, verify or rebuild starts from. (Until `givre run` is a
 * command, this is the way to get there.)
 */
export async function archiveWorkspace(workspace: Workspace, policy: Policy): Promise<RunSummary> {
  const s3 = s3UnderTest();
  process.env.AWS_ACCESS_KEY_ID = s3.accessKey;
  process.env.AWS_SECRET_ACCESS_KEY = s3.secretKey;
  const config = loadConfig(workspace.configFile, {});
  const catalog = new SqliteCatalog(join(config.stateDir, "catalog.db"));
  const storage = new StorageRegistry(config);
  const log = createLogger({ level: "silent", pretty: false });
  try {
    const run = new TieringRun({ config, catalog, storage, log, policies: [policy] });
    const summary = await run.execute(streamOf(candidatesOf(workspace.dataDir, policy)));
    if (summary.outcome !== "ok") throw new Error(`archive run ${summary.outcome}`);
    return summary;
  } finally {
    storage.destroy();
    await catalog.close();
  }
}
