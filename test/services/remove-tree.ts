import { spawnSync } from "node:child_process";

/**
 * Removes a folder and everything under it. Node's recursive rmSync walks
 * by full path and fails with ENAMETOOLONG on the very deep trees some
 * suites build on purpose; GNU rm descends folder by folder and does not.
 */
export function removeTree(dir: string): void {
  const rm = spawnSync("rm", ["-rf", "--", dir], { encoding: "utf8" });
  if (rm.status !== 0) throw new Error(`rm -rf ${dir} failed: ${rm.stderr.trim()}`);
}
