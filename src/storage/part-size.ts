const MiB = 1024 * 1024;
/** S3 refuses parts over 5 GiB. */
const S3_MAX_PART_SIZE = 5 * 1024 * MiB;

/**
 * The part size for a file: the target's part size, grown (in whole MiB)
 * until the file fits in `maxParts` parts.
 */
export function partSizeFor(fileSize: number, minPartSize: number, maxParts: number): number {
  const needed = Math.ceil(fileSize / maxParts);
  const size = Math.max(minPartSize, Math.ceil(needed / MiB) * MiB);
  if (size > S3_MAX_PART_SIZE) {
    throw new RangeError(
      `a ${fileSize}-byte file does not fit in ${maxParts} parts of at most 5 GiB`,
    );
  }
  return size;
}
