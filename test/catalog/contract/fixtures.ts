import type { Catalog, CatalogEntry, RunRecord } from "../../../src/catalog/catalog.js";

/** What every part of the contract needs: the catalog under test, and more instances of it. */
export interface ContractContext {
  /** A fresh, empty catalog, opened before each test. */
  readonly catalog: Catalog;
  /** Where that catalog lives (a file, a URL). */
  readonly location: string;
  /** Opens another instance on a location (default: this test's); closed after the test. */
  open(location?: string): Promise<Catalog>;
  /** A location for another fresh, empty catalog. */
  freshLocation(): Promise<string>;
}

/** An archived radar image with every field set; `overrides` change any of them. */
export function entry(path: string, overrides: Partial<CatalogEntry> = {}): CatalogEntry {
  return {
    root: "data",
    path,
    state: "archived",
    size: 20_480,
    mtimeMs: 1_561_852_800_123.25,
    mode: 0o644,
    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    target: "archive",
    bucket: "site-archive",
    key: `radar/${path}`,
    offset: null,
    length: null,
    etag: '"0cc175b9c0f1b6a831c399e269772661"',
    storageClass: "STANDARD_IA",
    policy: "radar",
    runId: "run-1",
    manifestKey: ".givre/manifests/run-1/radar-000001.jsonl",
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** `count` entries named `<folder>/000000.png`, ...: zero-padded, so name order is number order. */
export function numberedEntries(
  count: number,
  folder = "radar",
  overrides: Partial<CatalogEntry> = {},
): CatalogEntry[] {
  return Array.from({ length: count }, (_, i) =>
    entry(`${folder}/${String(i).padStart(6, "0")}.png`, overrides),
  );
}

export function run(id: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    host: "files-1",
    pid: 4242,
    startedAt: 1_700_000_000_000,
    finishedAt: null,
    outcome: "running",
    policies: ["radar", "tiles"],
    files: 0,
    bytes: 0,
    failures: 0,
    ...overrides,
  };
}

/** Compares as UTF-8 bytes: the order the contract promises for select(). */
export function bytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export function paths(entries: readonly CatalogEntry[]): string[] {
  return entries.map((e) => e.path);
}

/** `root:path` of every entry, in select() order: one readable line per entry in a diff. */
export async function keysOf(catalog: Catalog): Promise<string[]> {
  return (await collect(catalog.select({}))).map((e) => `${e.root}:${e.path}`);
}
