import { formatBytes, formatDuration, formatUtc } from "../config/units.js";
import type { Policy } from "../policy/policy.js";
import type { ScanReport, StayingTally } from "../scan/candidate.js";
import type { PolicyTotals } from "../scan/plan-summary.js";

/** The plan for humans: a block per policy, then what the walk met. */
export function planText(totals: readonly PolicyTotals[], report: ScanReport): string {
  const blocks = totals.map((policyTotals) => policyBlock(policyTotals, report));
  return [...blocks, scanBlock(report)].join("\n");
}

function policyBlock(totals: PolicyTotals, report: ScanReport): string {
  const { policy, files, bytes, oldest, newest, samples } = totals;
  const lines = [`${policy.name} (${basename(policy.file)}): ${describePolicy(policy)}`];
  lines.push(
    row("to go", files === 0 ? "nothing" : `${count(files, "file")}, ${formatBytes(bytes)}`),
  );
  if (oldest && newest) {
    lines.push(row("oldest", `${formatUtc(oldest.dateMs)}  ${oldest.path}`));
    lines.push(row("newest", `${formatUtc(newest.dateMs)}  ${newest.path}`));
    samples.forEach((path, i) => lines.push(row(i === 0 ? "samples" : "", path)));
  }
  const staying = stayingText(report.staying[policy.name]);
  if (staying) lines.push(row("staying", staying));
  const limits = limitsText(totals);
  if (limits) lines.push(row("limits", limits));
  return `${lines.join("\n")}\n`;
}

/** `archive to archive (STANDARD_IA), files older than 30d by their path date`. */
export function describePolicy(policy: Policy): string {
  const by = policy.age.from === "path" ? `path date (${policy.age.pathDate})` : "mtime";
  const age = `older than ${formatDuration(policy.age.olderThanMs)} by ${by}`;
  return `${policy.action} to ${policy.target} (${policy.storageClass}), files ${age}`;
}

function stayingText(tally: StayingTally | undefined): string | undefined {
  if (tally === undefined) return undefined;
  const parts = [
    [tally.kept, "kept"],
    [tally.young, "not old enough"],
    [tally.undated, "undated"],
  ] as const;
  const shown = parts
    .filter(([value]) => value > 0)
    .map(([value, why]) => `${number(value)} ${why}`);
  return shown.length > 0 ? shown.join(", ") : undefined;
}

function limitsText({ policy, files, bytes }: PolicyTotals): string | undefined {
  const { files: maxFiles, bytes: maxBytes, bandwidth } = policy.limits;
  const parts: string[] = [];
  if (maxFiles !== undefined) parts.push(count(maxFiles, "file"));
  if (maxBytes !== undefined) parts.push(formatBytes(maxBytes));
  if (bandwidth !== undefined) parts.push(`at ${formatBytes(bandwidth)}/s`);
  if (parts.length === 0) return undefined;
  const over =
    (maxFiles !== undefined && files > maxFiles) || (maxBytes !== undefined && bytes > maxBytes);
  const note = over ? "; a run stops there, later runs take the rest" : "";
  return `${parts.join(", ")} per run${note}`;
}

function scanBlock(report: ScanReport): string {
  const met = [
    `${count(report.filesSeen, "file")} looked at in ${count(report.folders, "folder")}`,
    `${count(report.symlinks, "symbolic link")} not followed`,
    `${count(report.specialFiles, "special file")} skipped`,
  ];
  const lines = [`scanned: ${met.join("; ")}`];
  const unreadable = report.unreadable.length + report.unreadableNotListed;
  if (unreadable > 0) lines.push(`unreadable, left out of this plan (${number(unreadable)}):`);
  for (const { path, reason } of report.unreadable) lines.push(`  ${path}: ${reason}`);
  if (report.unreadableNotListed > 0) {
    lines.push(`  ... and ${number(report.unreadableNotListed)} more`);
  }
  return `${lines.join("\n")}\n`;
}

function row(label: string, text: string): string {
  return `  ${label.padEnd(9)} ${text}`.trimEnd();
}

/** `1,234,567`: without Intl, whose number formats take 30 ms to load. */
export function number(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function count(value: number, noun: string): string {
  return `${number(value)} ${noun}${value === 1 ? "" : "s"}`;
}

function basename(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}
