import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { GivreConfig } from "../../src/config/config.js";
import { printThawStatus } from "../../src/cli/restore-status.js";
import { createLogger } from "../../src/log/logger.js";
import { Restorer } from "../../src/restore/restorer.js";
import { RestoreSelection } from "../../src/restore/selection.js";
import { StorageReadAccess } from "../../src/storage/read-access.js";
import { StorageRegistry } from "../../src/storage/target-storage.js";
import { archiveWorkspace } from "../support/archive-tree.js";
import { testPolicy } from "../support/candidates.js";
import { makeWorkspace, writeTree, type Workspace } from "../support/givre-process.js";
import { GlacierRestoreDouble } from "../support/glacier-restore-double.js";
import { createTestBucket } from "../support/s3.js";

const OLD = new Date(Date.UTC(2019, 5, 1));
const FILES = { "archives/run-1.nc": "model run one", "archives/run-2.nc": "model run two" };

describe("givre restore of cold objects (Glacier-style test double)", () => {
  let workspace: Workspace;
  let config: GivreConfig;
  let catalog: SqliteCatalog;
  let storage: StorageRegistry;
  let double: GlacierRestoreDouble;

  const log = createLogger({ level: "silent", pretty: false });

  async function restore(options: { wait?: boolean } = {}) {
    const selection = await RestoreSelection.parse(config, catalog, ["data/archives"], {});
    const restorer = new Restorer(
      { config, catalog, access: double, log },
      { ...options, pollIntervalMs: 5 },
    );
    return restorer.execute(selection);
  }

  async function states(): Promise<string[]> {
    const all: string[] = [];
    for await (const row of catalog.select({})) all.push(`${row.path} ${row.state}`);
    return all;
  }

  async function status(): Promise<string> {
    let text = "";
    const out = { write: (chunk: string) => (text += chunk) } as unknown as NodeJS.WritableStream;
    await printThawStatus(catalog, double, [], config, out);
    return text;
  }

  beforeEach(async () => {
    const bucket = await createTestBucket("thaw");
    workspace = makeWorkspace(bucket, "restore:\n  thaw_days: 3\n  thaw_tier: Bulk\n");
    writeTree(workspace.dataDir, FILES, OLD);
    await archiveWorkspace(workspace, testPolicy({ storageClass: "GLACIER" }));
    config = loadConfig(workspace.configFile, {});
    catalog = new SqliteCatalog(join(workspace.stateDir, "catalog.db"));
    storage = new StorageRegistry(config);
    double = new GlacierRestoreDouble(new StorageReadAccess(storage), () => true, 2);
  });

  afterEach(async () => {
    storage.destroy();
    await catalog.close();
  });

  it("asks for a thaw once per object, marks rows restoring, and writes nothing yet", async () => {
    const report = await restore();

    expect(report.counts).toMatchObject({ selected: 2, restored: 0, failed: 0, reads: 0 });
    expect(report.thawing).toEqual([
      { key: "data/archives/run-1.nc", files: 1 },
      { key: "data/archives/run-2.nc", files: 1 },
    ]);
    const thaws = double.calls.filter((call) => call.op === "restoreObject");
    expect(thaws.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { op: "restoreObject", key: "data/archives/run-1.nc", days: 3, tier: "Bulk" },
      { op: "restoreObject", key: "data/archives/run-2.nc", days: 3, tier: "Bulk" },
    ]);
    expect(await states()).toEqual(["archives/run-1.nc restoring", "archives/run-2.nc restoring"]);
    expect(readdirSync(join(workspace.dataDir, "archives"))).toEqual([]);
    expect(await status()).toBe(
      `${"thawing".padEnd(40)} data/archives/run-1.nc\n${"thawing".padEnd(40)} data/archives/run-2.nc\n`,
    );
  });

  it("a later run finds the thaw under way, then done, and restores without asking again", async () => {
    await restore();
    const thawing = (path: string) => `${"thawing".padEnd(40)} data/${path}\n`;
    expect(await status()).toBe(thawing("archives/run-1.nc") + thawing("archives/run-2.nc"));
    const second = await restore();
    expect(second.thawing).toHaveLength(2);
    const ready = (path: string) =>
      `${"ready until 2030-01-01T00:00:00.000Z".padEnd(40)} data/${path}\n`;
    expect(await status()).toBe(ready("archives/run-1.nc") + ready("archives/run-2.nc"));

    const third = await restore();

    expect(third.counts).toMatchObject({ restored: 2, failed: 0, reads: 2 });
    expect(double.calls.filter((call) => call.op === "restoreObject")).toHaveLength(2);
    for (const [path, content] of Object.entries(FILES)) {
      expect(readFileSync(join(workspace.dataDir, path), "utf8")).toBe(content);
    }
    expect(await states()).toEqual(["archives/run-1.nc restored", "archives/run-2.nc restored"]);
    expect(await status()).toBe(
      `${"done".padEnd(40)} data/archives/run-1.nc\n${"done".padEnd(40)} data/archives/run-2.nc\n`,
    );
  });

  it("--wait polls x-amz-restore until the thaw is done, then restores", async () => {
    const report = await restore({ wait: true });

    expect(report.counts).toMatchObject({ selected: 2, restored: 2, failed: 0 });
    expect(report.thawing).toEqual([]);
    expect(await states()).toEqual(["archives/run-1.nc restored", "archives/run-2.nc restored"]);
  });

  it("thaws an object the catalog calls warm when its GET is refused as cold", async () => {
    catalog.close();
    catalog = new SqliteCatalog(join(workspace.stateDir, "catalog.db"));
    const rows = [];
    for await (const row of catalog.select({})) {
      rows.push({
        root: row.root,
        path: row.path,
        state: row.state,
        fields: { storageClass: "STANDARD" },
      });
    }
    await catalog.updateMany(rows);

    const report = await restore();

    expect(report.thawing).toHaveLength(2);
    expect(double.calls.filter((call) => call.op === "restoreObject")).toHaveLength(2);
    expect(await states()).toEqual(["archives/run-1.nc restoring", "archives/run-2.nc restoring"]);
  });
});
