import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDebianPackages } from "../services/debian-packages.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const ANSIBLE_DIR = join(REPO_ROOT, "deploy/ansible");

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Debian 12's Ansible (core 2.14) and ansible-lint, installed on first use. */
export function ensureAnsible(): void {
  ensureDebianPackages(["ansible", "ansible-lint"], ["ansible-playbook", "ansible-lint"]);
}

/**
 * Runs an Ansible program from deploy/ansible, so site.yml finds its roles
 * as it does for an admin. Colours off, no retry files, nothing from the
 * caller's environment that would point Ansible at another config, and
 * no TMPDIR: the chroot connection hands the controller's environment to
 * the target, where the test run's temp folder does not exist and every
 * maintainer script that calls mktemp would fail.
 */
export function runAnsible(
  program: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(program, args, {
      cwd: ANSIBLE_DIR,
      env: { ...ansibleEnv(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolveResult({ code, stdout, stderr }));
  });
}

function ansibleEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name.startsWith("ANSIBLE_") || name === "TMPDIR") continue;
    env[name] = value;
  }
  return {
    ...env,
    ANSIBLE_NOCOLOR: "1",
    NO_COLOR: "1",
    ANSIBLE_RETRY_FILES_ENABLED: "0",
    ANSIBLE_PYTHON_INTERPRETER: "auto_silent",
  };
}

export interface HostRecap {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
}

/** The PLAY RECAP of ansible-playbook's default output, by host. */
export function playRecap(stdout: string): Record<string, HostRecap> {
  const recap = stdout.split(/^PLAY RECAP \**$/m)[1];
  if (recap === undefined) throw new Error(`no PLAY RECAP in:\n${stdout}`);
  const hosts: Record<string, HostRecap> = {};
  for (const line of recap.split("\n")) {
    const match = /^(\S+)\s+:\s+(.*)$/.exec(line);
    if (!match) continue;
    const counts = Object.fromEntries(
      [...match[2]!.matchAll(/(\w+)=(\d+)/g)].map(([, key, value]) => [key, Number(value)]),
    );
    hosts[match[1]!] = counts as unknown as HostRecap;
  }
  return hosts;
}

/** The names of the tasks that reported a change, from the default output. */
export function changedTasks(stdout: string): string[] {
  const changed: string[] = [];
  let task = "";
  for (const line of stdout.split("\n")) {
    const heading = /^(?:TASK|RUNNING HANDLER) \[(.*)\] \**$/.exec(line);
    if (heading) task = heading[1]!;
    else if (line.startsWith("changed:") && !changed.includes(task)) changed.push(task);
  }
  return changed;
}
