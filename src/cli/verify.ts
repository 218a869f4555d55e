import type { Command } from "commander";
import { openCatalog } from "../catalog/open-catalog.js";
import { UsageError } from "../errors.js";
import { ProgressLine } from "../log/progress-line.js";
import { StorageReadAccess } from "../storage/read-access.js";
import { StorageRegistry } from "../storage/target-storage.js";
import { Verifier } from "../verify/verifier.js";
import { formatVerifyReport } from "../verify/verify-report.js";
import { commandContext } from "./context.js";
import { stopOnSignals } from "./stop-signals.js";

interface VerifyFlags {
  deep?: boolean;
  sample?: string;
  policy?: string;
  quick?: boolean;
  json?: boolean;
}

export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("check that the bucket still holds what the catalog says")
    .option("--deep", "also download every checked file and re-hash it")
    .option("--sample <n>", "check a random sample of N files instead of all")
    .option("--policy <name>", "only files taken by this policy")
    .option("--quick", "listings only (exists, size, ETag; 1 request per 1,000 keys): no metadata")
    .option("--json", "the report as one JSON object")
    .addHelpText(
      "after",
      `
Each file's object must exist with the size and ETag recorded when its
upload was proven, and carry givre's SHA-256 (metadata, or the givre-sha256
tag of a multipart object). A pack is checked once; --deep hashes each
member's range. Exit codes: 0 all good, 1 something is missing or differs
(each object and path is listed), 2 bad usage, 4 storage unreachable.`,
    )
    .action(async (flags: VerifyFlags, command: Command) => {
      const { config, log, out } = commandContext(command);
      const sample = flags.sample === undefined ? undefined : Number(flags.sample);
      if (sample !== undefined && !(Number.isInteger(sample) && sample > 0)) {
        throw new UsageError(
          "VERIFY_BAD_SAMPLE",
          `--sample ${flags.sample}: expected a positive whole number`,
        );
      }
      const catalog = await openCatalog(config);
      const storage = new StorageRegistry(config);
      const access = new StorageReadAccess(storage);
      const line = new ProgressLine();
      const stop = stopOnSignals((name) => log.warn({ signal: name }, "stopping verify"));
      try {
        await storage.preflight(Object.keys(config.targets));
        const verifier = new Verifier(
          { config, catalog, storage, access, log },
          {
            deep: flags.deep,
            sample,
            policy: flags.policy,
            quick: flags.quick,
            signal: stop.signal,
            onProgress: (entries) => line.show(`verify: ${entries} files checked`),
          },
        );
        const report = await verifier.execute();
        line.clear();
        out.write(flags.json ? `${JSON.stringify(report)}\n` : formatVerifyReport(report));
        log.info({ entries: report.entries, problems: report.problems.length }, "verify finished");
        process.exitCode = report.problems.length > 0 ? 1 : 0;
      } finally {
        stop.dispose();
        access.destroy();
        storage.destroy();
        await catalog.close();
      }
    });
}
