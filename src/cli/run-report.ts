import { formatBytes } from "../config/units.js";
import type { RunCounts, RunSummary } from "../tiering/run-summary.js";

/** The live line on a terminal: what is done, how fast, what failed. */
export function progressText(
  counts: Readonly<RunCounts>,
  elapsedMs: number,
  scanned: number,
): string {
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const done = counts.archived + counts.copied;
  const rate = `${Math.round(done / seconds)} files/s, ${formatBytes(counts.bytes / seconds)}/s`;
  const failed = counts.failed > 0 ? `, ${counts.failed} failed` : "";
  return `scanned ${scanned} · taken ${counts.stored} · done ${done} · ${formatBytes(counts.bytes)} · ${rate}${failed}`;
}

/** What the operator reads after a run (stdout); logs carry the same as JSON. */
export function summaryText(summary: RunSummary): string {
  const { counts } = summary;
  const verb = summary.dryRun ? "would take" : "took";
  const lines = [
    `run ${summary.runId}: ${summary.outcome}${summary.dryRun ? " (dry run: nothing changed)" : ""}`,
    `  ${verb} ${counts.stored} files, ${formatBytes(counts.bytes)}${counts.packs ? ` (${counts.packs} packs)` : ""}`,
  ];
  if (!summary.dryRun) {
    lines.push(
      `  archived ${counts.archived}, copied ${counts.copied}, changed during upload ${counts.changed}`,
    );
  }
  lines.push(
    `  left alone: ${counts.alreadyStored} already in the bucket, ${counts.deferred} over the limits`,
  );
  const { restarted, finished } = summary.recovered;
  if (restarted + finished > 0) {
    lines.push(`  recovered from an earlier run: ${finished} finished, ${restarted} to redo`);
  }
  if (summary.scan) {
    const { filesSeen, symlinks, specialFiles, unreadable, unreadableNotListed } = summary.scan;
    lines.push(
      `  scanned ${filesSeen} files; skipped ${symlinks} symlinks, ${specialFiles} special files, ${unreadable.length + unreadableNotListed} unreadable`,
    );
  }
  lines.push(`  in ${(summary.elapsedMs / 1000).toFixed(1)} s`);
  const failures = [...summary.failures, ...(summary.scan?.unreadable ?? [])];
  if (failures.length > 0) {
    lines.push(`  ${failures.length} failed:`);
    for (const failure of failures) lines.push(`    ${failure.path}: ${failure.reason}`);
  }
  return `${lines.join("\n")}\n`;
}
