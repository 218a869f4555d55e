import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { s3Env, s3UnderTest } from "./s3.js";

export const GIVRE_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../dist/cli/main.js");

export interface GivreResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as cron would: no terminal, JSON logs on stderr. */
export function runGivre(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<GivreResult> {
  return runCommand(process.execPath, [GIVRE_BIN, ...args], { ...cleanEnv(), ...s3Env(), ...env });
}

/** Runs a command without a terminal and collects its output and exit. */
export function runCommand(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<GivreResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolveResult({ code, signal, stdout, stderr }));
  });
}

/** The environment without anything that would point givre elsewhere. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(AWS_|GIVRE_)/.test(name)) continue;
    env[name] = value;
  }
  return env;
}

/** JSON log lines from a run's stderr. */
export function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface Workspace {
  dir: string;
  configFile: string;
  stateDir: string;
  policiesDir: string;
  dataDir: string;
}

/**
 * A temp folder with a data root, a state folder, a policies folder and a
 * config pointing at the S3 under test; `extra` is appended to the YAML.
 */
export function makeWorkspace(bucket: string, extra = "", target = ""): Workspace {
  const dir = mkdtempSync(join(tmpdir(), "givre-ws-"));
  const workspace = {
    dir,
    configFile: join(dir, "givre.yaml"),
    stateDir: join(dir, "state"),
    policiesDir: join(dir, "policies"),
    dataDir: join(dir, "data"),
  };
  for (const folder of [workspace.stateDir, workspace.policiesDir, workspace.dataDir]) {
    mkdirSync(folder);
  }
  const s3 = s3UnderTest();
  writeFileSync(
    workspace.configFile,
    `state_dir: ${workspace.stateDir}
policies: ${workspace.policiesDir}
roots:
  data: ${workspace.dataDir}
targets:
  archive:
    endpoint: ${s3.endpoint}
    region: ${s3.region}
    bucket: ${bucket}
${target}${extra}`,
  );
  return workspace;
}

/** Writes `content` at `path` under `root`, making folders, with an optional mtime. */
export function writeTree(
  root: string,
  files: Record<string, string | Buffer>,
  mtime?: Date,
): void {
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    if (mtime) utimesSync(file, mtime, mtime);
  }
}
