import { closeSync, ftruncateSync, mkdirSync, openSync, utimesSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeTree } from "./givre-process.js";
import { generateSampleTree } from "./sample-tree.js";

/** When the site's archive and log were last written. */
export const SITE_OLD = new Date(Date.UTC(2018, 0, 1));
const MiB = 1024 * 1024;

/**
 * The sample site the plan tests share: radar images of two products from
 * 2019-05-22 to 2019-06-30 (4 a day), every tile up to zoom 6, the sample's
 * 1 MiB archive, a 200 MiB one, and a log folder no policy names.
 */
export function generatePlanSite(root: string): void {
  generateSampleTree(root, {
    products: 2,
    days: 40,
    imagesPerDay: 4,
    maxZoom: 6,
    maxTilesPerSide: 64,
  });
  sparseFile(join(root, "archives/2019/big.grib2"), 200 * MiB, SITE_OLD);
  writeTree(root, { "logs/2019/06/access.log": "GET /\n" }, SITE_OLD);
}

/** A sparse file: the size is real to lstat, the disk holds nothing. */
export function sparseFile(path: string, size: number, mtime: Date): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "w");
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
  utimesSync(path, mtime, mtime);
}
