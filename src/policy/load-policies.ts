import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { GivreConfig } from "../config/config.js";
import { UsageError, errorMessage } from "../errors.js";
import { parsePolicy } from "./parse-policy.js";
import type { Policy } from "./policy.js";

const POLICY_FILE = /^[^.].*\.ya?ml$/;

export interface PolicyFileResult {
  file: string;
  /** Set when the file is a valid policy. */
  policy?: Policy;
  /** Set when it is not: the located error, with its fix. */
  error?: UsageError;
}

/**
 * Every policy of the config's policies folder, in file-name order, which
 * is the order a file is matched against them (the first match owns it).
 * Throws the first file's error: `file:line: field: expected X, found Y`.
 */
export function loadPolicies(config: GivreConfig): Policy[] {
  const results = readPolicyFolder(config);
  const failed = results.find((result) => result.error);
  if (failed?.error) throw withMore(failed.error, results.filter((r) => r.error).length - 1);
  return results.map((result) => result.policy!);
}

/**
 * Reads every policy file, going on past errors so that `policy check`
 * can list them all. Throws only when the folder itself is missing or empty.
 */
export function readPolicyFolder(config: GivreConfig): PolicyFileResult[] {
  const files = policyFiles(config);
  const names = new Map<string, string>();
  return files.map((file) => {
    try {
      const policy = parsePolicy(file, readPolicyText(file), config, names);
      names.set(policy.name, basename(file));
      return { file, policy };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return { file, error };
    }
  });
}

/** `*.yaml` and `*.yml` in the folder, sorted by name; hidden files are editors' leftovers. */
export function policyFiles(config: GivreConfig): string[] {
  const folder = config.policies;
  let names: string[];
  try {
    names = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => !entry.isDirectory() && POLICY_FILE.test(entry.name))
      .map((entry) => entry.name);
  } catch (error) {
    throw new UsageError(
      "POLICIES_UNREADABLE",
      `policies folder ${folder}: ${errorMessage(error)}`,
      {
        hint: `create it with one YAML file per policy, or set policies: in ${config.file}`,
        cause: error,
      },
    );
  }
  if (names.length === 0) {
    throw new UsageError("POLICIES_EMPTY", `policies folder ${folder} holds no *.yaml policy`, {
      hint: "add one YAML file per policy (README 'Policies' has examples)",
    });
  }
  return names.sort().map((name) => join(folder, name));
}

function readPolicyText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      "POLICY_UNREADABLE",
      `cannot read policy ${file}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}

function withMore(error: UsageError, more: number): UsageError {
  if (more === 0) return error;
  const hint = error.hint ? `${error.hint}; ` : "";
  const files = more === 1 ? "1 more policy file has" : `${more} more policy files have`;
  return new UsageError(error.code, error.message, {
    hint: `${hint}${files} errors too: givre policy check lists them all`,
    cause: error,
  });
}
