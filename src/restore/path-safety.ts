import { isAbsolute, relative, resolve, sep } from "node:path";
import { GivreError } from "../errors.js";

/** A catalog path (or a pack member's) that must not become a file name. */
export class UnsafePathError extends GivreError {
  constructor(path: string, reason: string) {
    super("RESTORE_UNSAFE_PATH", 1, `refused to restore ${JSON.stringify(path)}: ${reason}`);
  }
}

/**
 * Why a catalog path cannot be written under a folder, or undefined when
 * it can. Paths come from the catalog (and so from manifests in a bucket
 * that others may write to), never from a tar header; still, a path is
 * trusted only if it is relative, `/`-separated, and every segment is a
 * plain name.
 */
export function unsafePathReason(path: string): string | undefined {
  if (path === "") return "it is empty";
  if (path.includes("\0")) return "it contains a NUL byte";
  if (path.startsWith("/") || isAbsolute(path)) return "it is absolute";
  const segments = path.split("/");
  if (segments.some((segment) => segment === "")) return "it has an empty segment";
  if (segments.some((segment) => segment === "." || segment === "..")) {
    return "it has a . or .. segment";
  }
  return undefined;
}

/**
 * The file `path` names under `folder`. Invariant: the result is strictly
 * inside `folder` (checked again after resolving, not only by the rules
 * above). Symbolic links inside `folder` are checked when the file's own
 * folder is made (restore/destination.ts).
 */
export function confinedPath(folder: string, path: string): string {
  const reason = unsafePathReason(path);
  if (reason) throw new UnsafePathError(path, reason);
  const base = resolve(folder);
  const file = resolve(base, path);
  if (!isInside(base, file)) throw new UnsafePathError(path, `it leaves ${base}`);
  return file;
}

/** True when `inner` is below `outer` (not equal to it). */
export function isInside(outer: string, inner: string): boolean {
  const rest = relative(outer, inner);
  return rest !== "" && !rest.startsWith(`..${sep}`) && rest !== ".." && !isAbsolute(rest);
}
