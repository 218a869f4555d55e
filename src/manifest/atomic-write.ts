import { randomBytes } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes a file so that a crash leaves either the old content or the new,
 * never a torn file: temp file in the same folder, fsync, rename, fsync
 * of the folder (so the rename itself survives a power cut).
 */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temp = join(folder, `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  const file = await open(temp, "w", 0o644);
  try {
    await file.writeFile(data);
    await file.sync();
  } catch (error) {
    await file.close();
    await unlink(temp).catch(() => {});
    throw error;
  }
  await file.close();
  await rename(temp, path);
  await fsyncFolder(folder);
}

export async function fsyncFolder(folder: string): Promise<void> {
  const handle = await open(folder, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
