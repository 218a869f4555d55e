import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface SampleOptions {
  /** Radar products (folders under radar/). Default 2. */
  products?: number;
  /** Days of radar images per product, ending `endDay`. Default 3. */
  days?: number;
  /** Radar images per product per day (one every 24h/n). Default 12. */
  imagesPerDay?: number;
  /** Bytes per radar image. Default 20 KiB. */
  imageSize?: number;
  /** Map tiles for zoom levels 0..maxZoom. Default 7. */
  maxZoom?: number;
  /** At most this many tiles a side per zoom level (the real 2^z x 2^z when large). Default 4. */
  maxTilesPerSide?: number;
  /** Bytes per tile. Default 2 KiB. */
  tileSize?: number;
  /** Sizes of large archive files. Default one of 1 MiB. */
  archiveSizes?: number[];
  /** Last day of radar images (UTC). Default 2019-06-30. */
  endDay?: Date;
}

export interface SampleTree {
  files: number;
  bytes: number;
}

const PRODUCTS = ["reflectivity", "velocity", "rainrate", "echotops", "hail", "lightning"];
const DAY_MS = 86_400_000;

/**
 * A small copy of the site's layout: radar images by product and day with
 * mtimes matching their names, map tiles by layer/z/x/y, and a few large
 * archives. Contents are deterministic per path, so a restored file can be
 * compared with a freshly generated one.
 */
export function generateSampleTree(root: string, options: SampleOptions = {}): SampleTree {
  const tree = { files: 0, bytes: 0 };
  const write = (path: string, size: number, mtime: Date) => {
    const file = join(root, path);
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, sampleContent(path, size));
    utimesSync(file, mtime, mtime);
    tree.files++;
    tree.bytes += size;
  };
  writeRadar(write, options);
  writeTiles(write, options);
  (options.archiveSizes ?? [1024 * 1024]).forEach((size, i) => {
    write(`archives/model-run-${i}.nc`, size, new Date(Date.UTC(2018, 0, 1 + i)));
  });
  return tree;
}

type Write = (path: string, size: number, mtime: Date) => void;

function writeRadar(write: Write, options: SampleOptions): void {
  const end = (options.endDay ?? new Date(Date.UTC(2019, 5, 30))).getTime();
  const days = options.days ?? 3;
  const perDay = options.imagesPerDay ?? 12;
  for (const product of PRODUCTS.slice(0, options.products ?? 2)) {
    for (let day = days - 1; day >= 0; day--) {
      const date = new Date(end - day * DAY_MS);
      const folder = `radar/${product}/${date.toISOString().slice(0, 10).replace(/-/g, "/")}`;
      for (let image = 0; image < perDay; image++) {
        const time = new Date(date.getTime() + (image * DAY_MS) / perDay);
        const stamp = time.toISOString().slice(0, 16).replace(/[-:T]/g, "");
        write(
          `${folder}/${product}_${stamp.slice(0, 8)}_${stamp.slice(8)}.png`,
          options.imageSize ?? 20 * 1024,
          time,
        );
      }
    }
  }
}

function writeTiles(write: Write, options: SampleOptions): void {
  const mtime = new Date(Date.UTC(2019, 0, 15));
  for (let z = 0; z <= (options.maxZoom ?? 7); z++) {
    const side = Math.min(2 ** z, options.maxTilesPerSide ?? 4);
    for (let x = 0; x < side; x++) {
      for (let y = 0; y < side; y++) {
        write(`tiles/base/${z}/${x}/${y}.png`, options.tileSize ?? 2048, mtime);
      }
    }
  }
}

/** Deterministic bytes for a path: the path repeated, then cut to size. */
export function sampleContent(path: string, size: number): Buffer {
  const seed = Buffer.from(`${path}\n`);
  const content = Buffer.allocUnsafe(size);
  for (let offset = 0; offset < size; offset += seed.length) seed.copy(content, offset);
  return content;
}
