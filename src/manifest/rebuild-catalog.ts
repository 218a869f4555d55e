import { GetObjectTaggingCommand } from "@aws-sdk/client-s3";
import type { Catalog, CatalogEntry, FileState } from "../catalog/catalog.js";
import type { GivreConfig } from "../config/config.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { PolicyAction } from "../policy/policy.js";
import { listPages, type ListedObject } from "../storage/bucket-listing.js";
import type { ReadAccess } from "../storage/read-access.js";
import type { StorageRegistry } from "../storage/target-storage.js";
import { MANIFEST_FOLDER } from "./manifest-keys.js";
import { parseManifestLine } from "./manifest-parse.js";
import { rowOfLine, rowOfObject, withStateOnDisk } from "./rebuilt-row.js";

/** Rows written per catalog transaction. */
const BATCH = 500;
/** Refused lines and objects listed in the report; the rest are counted. */
const LISTED_LIMIT = 50;
/** Where givre keeps its own objects under a prefix (manifests, doctor probes): never files. */
const GIVRE_FOLDER = ".givre/";

export interface RebuildOptions {
  /** Key prefixes to read (the policies' prefixes); default the whole bucket of each target. */
  prefixes?: readonly string[];
  /** A policy's action, to tell `copied` from `restored` for files still on disk. */
  actionOf?: (policy: string) => PolicyAction | undefined;
  signal?: AbortSignal;
}

export interface RebuildReport {
  segments: number;
  lines: number;
  /** Lines that break the manifest contract (or could leave their root): not used. */
  refusedLines: { key: string; line: number; reason: string }[];
  refusedLineCount: number;
  /** Rows from manifest lines, and from objects no line names. */
  fromManifests: number;
  fromObjects: number;
  /** Objects under the prefixes that could not become rows, and why. */
  notCataloged: { key: string; reason: string }[];
  notCatalogedCount: number;
  /** Rows in the catalog afterwards, by state. */
  states: Partial<Record<FileState, number>>;
}

export interface RebuildDeps {
  config: GivreConfig;
  /** The catalog to fill: empty, or emptied by the caller (--force). */
  catalog: Catalog;
  storage: StorageRegistry;
  access: ReadAccess;
  log: Logger;
}

/**
 * `givre catalog rebuild`: a catalog from the bucket alone. First every
 * manifest segment under `<prefix>.givre/manifests/` is read; of several
 * lines for one (root, path) the latest (by `time`) wins. Then the objects
 * under the prefixes that no line names are read by HEAD: givre's metadata
 * (and a multipart object's SHA-256 tag) describes them well enough for a
 * row. Run history is not in the bucket and is not rebuilt.
 */
export async function rebuildCatalog(
  deps: RebuildDeps,
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  const report: RebuildReport = {
    segments: 0,
    lines: 0,
    refusedLines: [],
    refusedLineCount: 0,
    fromManifests: 0,
    fromObjects: 0,
    notCataloged: [],
    notCatalogedCount: 0,
    states: {},
  };
  const writer = new NewestWins(deps, options.actionOf ?? (() => undefined));
  for (const target of Object.keys(deps.config.targets)) {
    for (const prefix of options.prefixes ?? [""]) {
      await readManifests(deps, writer, target, prefix, report, options.signal);
    }
  }
  await writer.flush();
  report.fromManifests = await deps.catalog.count({});
  for (const target of Object.keys(deps.config.targets)) {
    for (const prefix of options.prefixes ?? [""]) {
      await readUnnamedObjects(deps, writer, target, prefix, report, options.signal);
    }
  }
  await writer.flush();
  report.fromObjects = (await deps.catalog.count({})) - report.fromManifests;
  for (const row of await deps.catalog.summary()) {
    report.states[row.state] = (report.states[row.state] ?? 0) + row.files;
  }
  return report;
}

async function readManifests(
  deps: RebuildDeps,
  writer: NewestWins,
  target: string,
  prefix: string,
  report: RebuildReport,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { client, target: config } = deps.storage.get(target);
  const reader = deps.access.reader(target, config.bucket);
  // With a prefix, only its manifest folder is listed; without, the whole bucket is searched.
  const listed = prefix ? `${prefix}${MANIFEST_FOLDER}` : "";
  for await (const page of listPages(client, config.bucket, listed, signal)) {
    const segments = page.filter((object) => isSegment(object.key)).map((object) => object.key);
    for (const key of segments) {
      report.segments++;
      const body = await reader.open(key, undefined, signal);
      const chunks: Buffer[] = [];
      for await (const chunk of body.body) chunks.push(chunk);
      const lines = Buffer.concat(chunks).toString("utf8").split("\n");
      for (const [index, text] of lines.entries()) {
        if (text.trim() === "") continue;
        report.lines++;
        const line = parseManifestLine(text);
        if (typeof line === "string") refuseLine(report, key, index + 1, line, deps.log);
        else await writer.offer(rowOfLine(line, key));
      }
    }
  }
}

function isSegment(key: string): boolean {
  return /(^|\/)\.givre\/manifests\/.+\.jsonl$/.test(key);
}

function refuseLine(
  report: RebuildReport,
  key: string,
  line: number,
  reason: string,
  log: Logger,
): void {
  report.refusedLineCount++;
  if (report.refusedLines.length < LISTED_LIMIT) report.refusedLines.push({ key, line, reason });
  log.warn({ key, line, reason }, "manifest line refused");
}

async function readUnnamedObjects(
  deps: RebuildDeps,
  writer: NewestWins,
  target: string,
  prefix: string,
  report: RebuildReport,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { client, target: config } = deps.storage.get(target);
  const reader = deps.access.reader(target, config.bucket);
  for await (const page of listPages(client, config.bucket, prefix, signal)) {
    for (const object of page) {
      if (object.key.includes(GIVRE_FOLDER)) continue;
      if ((await deps.catalog.count({ key: object.key })) > 0) continue;
      try {
        const row = await rowFromObject(deps, target, config.bucket, object, reader);
        if (typeof row === "string") notCataloged(report, object.key, row);
        else await writer.offer(row, { onlyIfAbsent: true });
      } catch (error) {
        notCataloged(report, object.key, errorMessage(error));
      }
    }
  }
}

async function rowFromObject(
  deps: RebuildDeps,
  target: string,
  bucket: string,
  object: ListedObject,
  reader: ReturnType<ReadAccess["reader"]>,
): Promise<CatalogEntry | string> {
  const head = await reader.head(object.key);
  if (!head) return "gone while listed";
  if (head.metadata["givre-pack"]) return "a pack that no manifest line describes: members unknown";
  let tagged: string | undefined;
  if (!head.metadata["givre-sha256"] && /-\d+$/.test(object.etag ?? "")) {
    const { client } = deps.storage.get(target);
    const tags = await client.send(
      new GetObjectTaggingCommand({ Bucket: bucket, Key: object.key }),
    );
    tagged = tags.TagSet?.find((tag) => tag.Key === "givre-sha256")?.Value;
  }
  return rowOfObject(target, bucket, object, head, tagged) ?? "no givre metadata with a SHA-256";
}

function notCataloged(report: RebuildReport, key: string, reason: string): void {
  report.notCatalogedCount++;
  if (report.notCataloged.length < LISTED_LIMIT) report.notCataloged.push({ key, reason });
}

/**
 * Writes rows in batches; a row replaces an existing one only when it is
 * newer (`updatedAt`, from the manifest line's time), so the order in which
 * segments are read does not matter.
 */
class NewestWins {
  readonly #deps: RebuildDeps;
  readonly #actionOf: (policy: string) => PolicyAction | undefined;
  #batch = new Map<string, { row: CatalogEntry; onlyIfAbsent: boolean }>();

  constructor(deps: RebuildDeps, actionOf: (policy: string) => PolicyAction | undefined) {
    this.#deps = deps;
    this.#actionOf = actionOf;
  }

  async offer(row: CatalogEntry, options: { onlyIfAbsent?: boolean } = {}): Promise<void> {
    const id = `${row.root}\0${row.path}`;
    const pending = this.#batch.get(id);
    if (!pending || pending.row.updatedAt <= row.updatedAt) {
      this.#batch.set(id, { row, onlyIfAbsent: options.onlyIfAbsent ?? false });
    }
    if (this.#batch.size >= BATCH) await this.#write();
  }

  flush(): Promise<void> {
    return this.#write();
  }

  async #write(): Promise<void> {
    const batch = [...this.#batch.values()];
    this.#batch = new Map();
    const rows: CatalogEntry[] = [];
    for (const { row, onlyIfAbsent } of batch) {
      const existing = await this.#deps.catalog.get(row.root, row.path);
      if (existing && (onlyIfAbsent || existing.updatedAt > row.updatedAt)) continue;
      rows.push(await withStateOnDisk(this.#deps.config, row, this.#actionOf));
    }
    await this.#deps.catalog.putMany(rows);
  }
}
