import type { Command } from "commander";
import type { CatalogEntry } from "../catalog/catalog.js";
import { openCatalog } from "../catalog/open-catalog.js";
import { formatBytes } from "../config/units.js";
import { commandContext } from "./context.js";
import { parseCatalogPath } from "./catalog-path.js";

interface LsOptions {
  recursive?: boolean;
  json?: boolean;
}

export function registerLs(program: Command): void {
  program
    .command("ls")
    .description(
      "list what the catalog holds under a path, without touching the disk or the bucket",
    )
    .argument(
      "<path>",
      "<root>/<path> (data/radar/2019) or a local path under a root (/srv/data/radar/2019)",
    )
    .option("-R, --recursive", "every file below, not just this folder's entries")
    .option("--json", "one JSON object per file")
    .addHelpText(
      "after",
      "\nColumns: state, size, original mtime (UTC), path. Folders show their file count and bytes.",
    )
    .action(async (input: string, options: LsOptions, command: Command) => {
      const { config, out } = commandContext(command);
      const { root, path } = parseCatalogPath(config, input);
      const catalog = await openCatalog(config);
      try {
        const exact = path ? await catalog.get(root, path) : undefined;
        const prefix = exact ? path : path && !path.endsWith("/") ? `${path}/` : path;
        const entries = exact ? [exact] : catalog.select({ root, pathPrefix: prefix });
        await printEntries(entries, prefix.length && !exact ? prefix : "", options, out);
      } finally {
        await catalog.close();
      }
    });
}

async function printEntries(
  entries: Iterable<CatalogEntry> | AsyncIterable<CatalogEntry>,
  prefix: string,
  options: LsOptions,
  out: NodeJS.WritableStream,
): Promise<void> {
  const folders = new Map<string, { files: number; bytes: number }>();
  for await (const entry of entries) {
    const rest = entry.path.slice(prefix.length);
    const slash = rest.indexOf("/");
    if (!options.recursive && slash >= 0) {
      const folder = folders.get(rest.slice(0, slash)) ?? { files: 0, bytes: 0 };
      folder.files++;
      folder.bytes += entry.size;
      folders.set(rest.slice(0, slash), folder);
      continue;
    }
    out.write(options.json ? `${JSON.stringify(entry)}\n` : formatEntry(entry));
  }
  for (const [name, folder] of folders) {
    const line = { folder: `${prefix}${name}/`, files: folder.files, bytes: folder.bytes };
    out.write(
      options.json
        ? `${JSON.stringify(line)}\n`
        : `folder     ${formatBytes(folder.bytes).padStart(10)}  ${String(folder.files).padStart(19)} files  ${line.folder}\n`,
    );
  }
}

function formatEntry(entry: CatalogEntry): string {
  const mtime = new Date(entry.mtimeMs).toISOString().slice(0, 19).replace("T", " ");
  return `${entry.state.padEnd(10)} ${formatBytes(entry.size).padStart(10)}  ${mtime}  ${entry.path}\n`;
}
