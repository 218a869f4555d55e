import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { GivreConfig } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/load-config.js";

/** The example policies shipped in policies/. */
export const EXAMPLE_POLICIES = resolve(import.meta.dirname, "../../policies");

/** A config as /etc/givre/givre.yaml would give it: root `data`, target `archive`. */
export function policyConfig(policies: string, dataRoot = "/srv/data"): GivreConfig {
  return parseConfig(
    "/etc/givre/givre.yaml",
    `policies: ${policies}
roots:
  data: ${dataRoot}
targets:
  archive:
    endpoint: http://127.0.0.1:7480
    bucket: site-archive
`,
    {},
  );
}

/** A temp policies folder holding these files (name to YAML text). */
export function policyFolder(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "givre-policies-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

/** Copies the example policies into a workspace's policies folder. */
export function copyExamplePolicies(folder: string): void {
  for (const name of readdirSync(EXAMPLE_POLICIES)) {
    copyFileSync(join(EXAMPLE_POLICIES, name), join(folder, name));
  }
}
