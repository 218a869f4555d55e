import { accessSync, constants, statSync } from "node:fs";
import type { Command } from "commander";
import type { GivreConfig } from "../config/config.js";
import { GivreError, StorageError, errorMessage } from "../errors.js";
import type { TargetReport } from "../storage/capabilities.js";
import { commandContext } from "./context.js";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "check the config, roots, catalog and every target; report what the S3 server supports",
    )
    .addHelpText(
      "after",
      `
Each target is probed for real: a small object is written, read back and
deleted under .givre/doctor/, and a 5 MiB multipart upload shows the ETag
form. Exit codes: 0 healthy, 2 bad config, 4 storage unreachable or refusing.`,
    )
    .action(async (_options, command: Command) => {
      // The S3 SDK and the catalog take a third of a second of CPU to load;
      // imported here, every other command starts without them.
      const { probeTarget } = await import("../storage/capabilities.js");
      const { createS3Client } = await import("../storage/s3-client.js");
      const { config, out } = commandContext(command);
      out.write(`config   ${config.file}: ok\n`);
      checkRoots(config, out);
      await checkCatalog(config, out);
      for (const target of Object.values(config.targets)) {
        const client = createS3Client(target, { maxAttempts: 2 });
        try {
          printTarget(await probeTarget(client, target), target.name, out);
        } finally {
          client.destroy();
        }
      }
      out.write("healthy\n");
    });
}

function checkRoots(config: GivreConfig, out: NodeJS.WritableStream): void {
  for (const [name, path] of Object.entries(config.roots)) {
    try {
      if (!statSync(path).isDirectory()) throw new Error("not a directory");
      accessSync(path, constants.R_OK | constants.X_OK);
      out.write(`root     ${name} (${path}): readable\n`);
    } catch (error) {
      throw new GivreError(
        "ROOT_UNREADABLE",
        2,
        `root "${name}" (${path}): ${errorMessage(error)}`,
        {
          hint: `fix roots.${name} in ${config.file}, or the folder's permissions`,
        },
      );
    }
  }
}

async function checkCatalog(config: GivreConfig, out: NodeJS.WritableStream): Promise<void> {
  const { openCatalog } = await import("../catalog/open-catalog.js");
  const catalog = await openCatalog(config);
  try {
    out.write(`catalog  ${catalog.describe()}: opens\n`);
  } finally {
    await catalog.close();
  }
}

function printTarget(report: TargetReport, name: string, out: NodeJS.WritableStream): void {
  const yes = (value: boolean) => (value ? "yes" : "no");
  const skew = report.clockSkewSeconds;
  out.write(`target   ${name}: reachable, credentials accepted, bucket exists\n`);
  out.write(`  probe object written, read back, deleted: ${yes(report.probe)}\n`);
  out.write(`  single PUT ETag is the MD5 of the body: ${yes(report.putEtagIsMd5)}\n`);
  out.write(`  multipart ETag is md5-of-md5s-N:        ${yes(report.multipartEtagIsMd5OfMd5s)}\n`);
  out.write(`  flexible checksums (SHA-256) echoed:     ${yes(report.flexibleChecksums)}\n`);
  out.write(`  clock skew: ${skew === undefined ? "unknown" : `${skew} s`}\n`);
  if (!report.probe || !report.putEtagIsMd5) {
    throw new StorageError(
      "STORAGE_PROOF_UNSUPPORTED",
      `target "${name}": the server does not return MD5 ETags`,
      {
        hint: "givre proves uploads by ETag; this server cannot be used as a target",
      },
    );
  }
}
