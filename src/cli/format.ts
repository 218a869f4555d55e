/** Columns are this many spaces apart. */
const GAP = "  ";

/**
 * Rows of cells as aligned columns for a terminal or a log file: each
 * column as wide as its widest cell, no trailing spaces. Widths count
 * UTF-16 units, which is right for the ASCII-heavy names givre prints.
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join(GAP)
      .trimEnd(),
  );
  return lines.map((line) => `${line}\n`).join("");
}

/** `1 entry`, `12000 entries`, `0 runs`: a count with its noun. */
export function quantity(count: number, noun: string): string {
  if (count === 1) return `${count} ${noun}`;
  return noun.endsWith("y") ? `${count} ${noun.slice(0, -1)}ies` : `${count} ${noun}s`;
}
