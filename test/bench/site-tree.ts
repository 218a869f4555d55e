/**
 * A large tree laid out like the weather site, for the benchmarks:
 * radar images by product and day (one every 5 minutes), map tiles by
 * layer/z/x/y, model archives by month, plus the `latest.png` each radar
 * product rewrites. Files are sparse (ftruncate): sizes look real, the
 * disk holds only inodes. Dates end the day the tree is made.
 *
 * Making a million files costs about 40 µs of kernel time per file here,
 * so folders are shared between worker processes, and a finished tree is
 * reused (by every bench part of a run, and by later runs) as long as its
 * marker file says it has the same shape.
 */
import { fork } from "node:child_process";
import { closeSync, ftruncateSync, futimesSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface SiteTree {
  /** The data root. */
  root: string;
  files: number;
  radar: number;
  tiles: number;
  archives: number;
  /** The last day of radar images and the newest tile, ms (midnight UTC). */
  endDay: number;
}

interface FileSpec {
  name: string;
  size: number;
  mtimeMs: number;
}

interface FolderJob {
  path: string;
  files: FileSpec[];
}

const DAY_MS = 86_400_000;
const KiB = 1024;
const MiB = 1024 * KiB;
const IMAGES_PER_DAY = 288;
const PRODUCTS = ["reflectivity", "velocity", "rainrate", "echotops", "hail", "lightning"];
const LAYERS = ["base", "radar", "temperature", "wind", "clouds", "pressure"];
/** Share of the files that are radar images; the rest are tiles, bar a few archives. */
const RADAR_SHARE = 0.6;
const ARCHIVES = 240;
/** Bump when the layout changes, so an old tree is not reused. */
const LAYOUT_VERSION = 1;

/** The tree of `files` files under `dir`/data, made unless an identical one is there. */
export async function ensureSiteTree(dir: string, files: number): Promise<SiteTree> {
  const marker = join(dir, "site-tree.json");
  const existing = readMarker(marker);
  if (existing?.files === files && existing.version === LAYOUT_VERSION) return existing.tree;
  refuseForeignFolder(dir, existing !== undefined);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tree = siteShape(join(dir, "data"), files, startOfToday());
  const workers = Math.max(1, Math.min(4, availableParallelism()));
  await Promise.all(Array.from({ length: workers }, (_, i) => runWorker(tree, i, workers)));
  writeFileSync(marker, JSON.stringify({ files, version: LAYOUT_VERSION, tree }));
  return tree;
}

/** The bench empties its folder before making a tree: never one it did not make. */
function refuseForeignFolder(dir: string, ours: boolean): void {
  if (ours || !existsSync(dir) || readdirSync(dir).length === 0) return;
  throw new Error(
    `${dir} is not empty and holds no site-tree.json: not a bench folder, left alone`,
  );
}

function readMarker(
  marker: string,
): { files: number; version: number; tree: SiteTree } | undefined {
  try {
    return JSON.parse(readFileSync(marker, "utf8"));
  } catch {
    return undefined;
  }
}

function siteShape(root: string, files: number, endDay: number): SiteTree {
  const archives = Math.min(ARCHIVES, Math.floor(files / 1000));
  const radar = Math.round((files - archives) * RADAR_SHARE);
  return { root, files, radar, tiles: files - archives - radar, archives, endDay };
}

function startOfToday(): number {
  return Math.floor(Date.now() / DAY_MS) * DAY_MS;
}

function runWorker(tree: SiteTree, index: number, count: number): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const args = [JSON.stringify(tree), String(index), String(count)];
  const child = fork(self, args, { execArgv: ["--import", "tsx"], stdio: "inherit" });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`site tree worker ${index} exited ${code}`)),
    );
  });
}

/** Makes the folders whose index falls to this worker. */
function makeShare(tree: SiteTree, index: number, count: number): void {
  let job = 0;
  for (const folder of siteFolders(tree)) {
    if (job++ % count !== index) continue;
    mkdirSync(folder.path, { recursive: true });
    for (const file of folder.files) makeFile(join(folder.path, file.name), file);
  }
}

function makeFile(path: string, file: FileSpec): void {
  const fd = openSync(path, "w");
  try {
    ftruncateSync(fd, file.size);
    futimesSync(fd, file.mtimeMs / 1000, file.mtimeMs / 1000);
  } finally {
    closeSync(fd);
  }
}

function* siteFolders(tree: SiteTree): Generator<FolderJob> {
  yield* radarFolders(tree);
  yield* tileFolders(tree);
  yield* archiveFolders(tree);
}

/** Days of images for every product, newest day last, `latest.png` at each product's top. */
function* radarFolders(tree: SiteTree): Generator<FolderJob> {
  const perDay = PRODUCTS.length * IMAGES_PER_DAY;
  const days = Math.ceil(tree.radar / perDay);
  let left = tree.radar - PRODUCTS.length;
  for (const product of PRODUCTS) {
    const latest = { name: "latest.png", size: 60 * KiB, mtimeMs: tree.endDay };
    yield { path: join(tree.root, "radar", product), files: [latest] };
  }
  for (let day = days - 1; day >= 0 && left > 0; day--) {
    const date = tree.endDay - day * DAY_MS;
    const folder = new Date(date).toISOString().slice(0, 10).replace(/-/g, "/");
    for (const product of PRODUCTS) {
      const count = Math.min(IMAGES_PER_DAY, left);
      left -= count;
      const files = Array.from({ length: count }, (_, i) => radarImage(product, date, i));
      yield { path: join(tree.root, "radar", product, folder), files };
    }
  }
}

function radarImage(product: string, day: number, index: number): FileSpec {
  const mtimeMs = day + index * 5 * 60_000;
  const stamp = new Date(mtimeMs).toISOString().slice(0, 16).replace(/[-:]/g, "");
  const size = 20 * KiB + (hash(`${product}${mtimeMs}`) % (130 * KiB));
  return { name: `${product}_${stamp.slice(0, 8)}_${stamp.slice(9)}.png`, size, mtimeMs };
}

/** Layers share the tiles; each fills zoom levels from 0 up, one folder per x. */
function* tileFolders(tree: SiteTree): Generator<FolderJob> {
  const perLayer = Math.ceil(tree.tiles / LAYERS.length);
  let left = tree.tiles;
  for (const layer of LAYERS) {
    let quota = Math.min(perLayer, left);
    left -= quota;
    for (let z = 0; quota > 0; z++) {
      for (let x = 0; x < 2 ** z && quota > 0; x++) {
        const count = Math.min(2 ** z, quota);
        quota -= count;
        const files = Array.from({ length: count }, (_, y) => tile(tree, `${layer}/${z}/${x}`, y));
        yield { path: join(tree.root, "tiles", layer, String(z), String(x)), files };
      }
    }
  }
}

/** A tile last rendered 0 to 400 days ago, 1 to 10 KiB. */
function tile(tree: SiteTree, folder: string, y: number): FileSpec {
  const seed = hash(`${folder}/${y}`);
  const mtimeMs = tree.endDay - (seed % 400) * DAY_MS - (seed % 86_400) * 1000;
  return { name: `${y}.png`, size: KiB + (seed % (9 * KiB)), mtimeMs };
}

/** One model run a day, newest last, 200 MiB to 2 GiB, in folders by month. */
function* archiveFolders(tree: SiteTree): Generator<FolderJob> {
  const byMonth = new Map<string, FileSpec[]>();
  for (let day = tree.archives - 1; day >= 0; day--) {
    const date = tree.endDay - day * DAY_MS;
    const stamp = new Date(date).toISOString().slice(0, 10);
    const size = 200 * MiB + (hash(stamp) % 1800) * MiB;
    const month = stamp.slice(0, 7).replace("-", "/");
    const files = byMonth.get(month) ?? [];
    files.push({ name: `gfs_${stamp.replace(/-/g, "")}.nc`, size, mtimeMs: date + 6 * 3_600_000 });
    byMonth.set(month, files);
  }
  for (const [month, files] of byMonth) yield { path: join(tree.root, "archives", month), files };
}

/** FNV-1a: a stable spread of sizes and dates, the same on every run. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.length === 5) {
  const [tree, index, count] = process.argv.slice(2);
  makeShare(JSON.parse(tree!) as SiteTree, Number(index), Number(count));
}
