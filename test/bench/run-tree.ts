import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface RunTree {
  root: string;
  files: number;
  bytes: number;
  folders: number;
  archives: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const DAY_MS = 86_400_000;
/** One radar image every 5 minutes. */
const IMAGES_PER_DAY = 288;
const PRODUCTS = ["reflectivity", "velocity", "rainrate"];
const ARCHIVE_SIZES = [64 * MiB, 96 * MiB];

/**
 * A tree to upload, shaped like the site: radar days (288 images of
 * 20-150 KB per product and day), tiles (1-10 KB), and archives of 64 MiB+.
 * The bytes are real (not sparse): what is uploaded is read from disk.
 * Made once and kept while its marker matches.
 */
export function makeRunTree(
  dir: string,
  files: number,
  options: { radarOnly?: boolean } = {},
): RunTree {
  const marker = join(dir, "tree.json");
  if (existsSync(marker)) {
    const tree = JSON.parse(readFileSync(marker, "utf8")) as RunTree & {
      wanted: number;
      radarOnly: boolean;
    };
    if (tree.wanted === files && tree.radarOnly === (options.radarOnly ?? false)) return tree;
  }
  rmSync(dir, { recursive: true, force: true });
  const root = join(dir, "data");
  const tree: RunTree = { root, files: 0, bytes: 0, folders: 0, archives: 0 };
  const old = Date.UTC(2019, 5, 1);
  const write = (path: string, size: number, mtime: number) => {
    const file = join(root, path);
    writeFileSync(file, content(tree.files, size));
    utimesSync(file, mtime / 1000, mtime / 1000);
    tree.files++;
    tree.bytes += size;
  };
  const radarFiles = options.radarOnly ? files : Math.round(files * 0.5);
  writeRadar(root, radarFiles, old, tree, write);
  if (!options.radarOnly) {
    writeTiles(root, files - radarFiles, old, tree, write);
    for (const size of ARCHIVE_SIZES) {
      mkdirSync(join(root, "archives"), { recursive: true });
      write(`archives/model-${tree.archives}.nc`, size, old);
      tree.archives++;
    }
  }
  writeFileSync(
    marker,
    JSON.stringify({ ...tree, wanted: files, radarOnly: options.radarOnly ?? false }),
  );
  return tree;
}

type Write = (path: string, size: number, mtime: number) => void;

function writeRadar(root: string, count: number, old: number, tree: RunTree, write: Write): void {
  for (let day = 0, left = count; left > 0; day++) {
    for (const product of PRODUCTS) {
      const date = new Date(old + day * DAY_MS).toISOString().slice(0, 10);
      const folder = `radar/${product}/${date.replace(/-/g, "/")}`;
      mkdirSync(join(root, folder), { recursive: true });
      tree.folders++;
      for (let i = 0; i < IMAGES_PER_DAY && left > 0; i++, left--) {
        const size = 20 * KiB + ((i * 7919) % (130 * KiB));
        write(
          `${folder}/${product}_${date}_${String(i * 5).padStart(4, "0")}.png`,
          size,
          old + day * DAY_MS,
        );
      }
      if (left === 0) break;
    }
  }
}

function writeTiles(root: string, count: number, old: number, tree: RunTree, write: Write): void {
  for (let i = 0; i < count; i++) {
    const folder = `tiles/base/12/${Math.floor(i / 256)}`;
    if (i % 256 === 0) {
      mkdirSync(join(root, folder), { recursive: true });
      tree.folders++;
    }
    write(`${folder}/${i % 256}.png`, 1 * KiB + ((i * 131) % (9 * KiB)), old);
  }
}

/** Bytes that differ from file to file, cheap to make. */
function content(seed: number, size: number): Buffer {
  const words = new Uint32Array(Math.ceil(size / 4));
  let state = (seed * 2654435761) >>> 0;
  for (let i = 0; i < words.length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    words[i] = state;
  }
  return Buffer.from(words.buffer, 0, size);
}
