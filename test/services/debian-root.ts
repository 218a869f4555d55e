import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDebianPackages } from "./debian-packages.js";

/** Where bootstrapped roots are kept between runs; GIVRE_TEST_CACHE moves it. */
const CACHE_DIR = process.env.GIVRE_TEST_CACHE ?? "/var/cache/givre-test";

/**
 * What a Debian server that Ansible manages has and minbase lacks: Python
 * for Ansible's modules, python3-apt for its apt module, and systemd, whose
 * systemctl enables units in a chroot.
 */
const EXTRA_PACKAGES = ["python3", "python3-apt", "systemd"];

/** Bootstrapping downloads ~100 MB and takes about 90 s here. */
const BOOTSTRAP_TIMEOUT_MS = 30 * 60_000;

export interface DebianRoot {
  /** The root folder, for `ansible_connection: chroot` or `chroot`. */
  root: string;
  remove(): void;
}

/**
 * A fresh copy of a minbase Debian root (`suite` such as "trixie"). The root
 * is bootstrapped once from this machine's own Debian mirror and kept under
 * CACHE_DIR; each caller gets a copy, so what a test installs never leaks
 * into the next run.
 */
export function copyDebianRoot(suite: string): DebianRoot {
  const cached = cachedDebianRoot(suite);
  const dir = mkdtempSync(join(tmpdir(), `givre-${suite}-`));
  const root = join(dir, "root");
  execFileSync("cp", ["-a", cached, root]);
  // mkdtemp made the bootstrap folder 0700; as "/" it must let users in.
  chmodSync(root, 0o755);
  return { root, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function cachedDebianRoot(suite: string): string {
  const cached = join(CACHE_DIR, `${suite}-minbase+${EXTRA_PACKAGES.join("+")}`);
  if (existsSync(cached)) return cached;
  ensureDebianPackages(["debootstrap"], ["debootstrap"]);
  mkdirSync(CACHE_DIR, { recursive: true });
  // Bootstrap beside the cache and rename when done: an interrupted run
  // never leaves a half-made root where the next run would take it.
  const partial = mkdtempSync(join(CACHE_DIR, `.${suite}-`));
  try {
    debootstrap(suite, partial);
    renameSync(partial, cached);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return cached;
}

function debootstrap(suite: string, target: string): void {
  const mirror = debianMirror();
  const args = ["--variant=minbase", `--include=${EXTRA_PACKAGES.join(",")}`, suite, target];
  try {
    execFileSync("debootstrap", [...args, mirror], {
      stdio: "pipe",
      timeout: BOOTSTRAP_TIMEOUT_MS,
    });
  } catch (error) {
    const log = join(target, "debootstrap/debootstrap.log");
    const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-30) : [];
    throw new Error(
      `debootstrap ${args.join(" ")} ${mirror} failed: ${(error as Error).message}\n` +
        tail.join("\n"),
    );
  }
}

/**
 * The Debian mirror this machine's apt already uses: the first source that
 * carries this machine's own release (so not the security archive, and not
 * a third-party repository). GIVRE_TEST_DEBIAN_MIRROR overrides it.
 */
export function debianMirror(): string {
  const given = process.env.GIVRE_TEST_DEBIAN_MIRROR;
  if (given) return given;
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1];
  const mirror = aptSources().find((source) => source.suites.includes(codename ?? ""))?.uri;
  if (!mirror) {
    throw new Error(
      `no apt source for Debian ${codename} in /etc/apt/sources.list(.d): set GIVRE_TEST_DEBIAN_MIRROR`,
    );
  }
  return mirror;
}

interface AptSource {
  uri: string;
  suites: string[];
}

/** The `deb` sources apt reads: one-line .list files and deb822 .sources files. */
function aptSources(): AptSource[] {
  const dir = "/etc/apt/sources.list.d";
  const files = existsSync(dir)
    ? readdirSync(dir)
        .sort()
        .map((name) => join(dir, name))
    : [];
  const sources: AptSource[] = [];
  for (const file of ["/etc/apt/sources.list", ...files]) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".list")) sources.push(...oneLineSources(text));
    if (file.endsWith(".sources")) sources.push(...deb822Sources(text));
  }
  return sources;
}

function oneLineSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const line of text.split("\n")) {
    const words = line
      .replace(/\[[^\]]*\]/, "")
      .trim()
      .split(/\s+/);
    if (words[0] !== "deb" || !words[1] || !words[2]) continue;
    sources.push({ uri: words[1], suites: [words[2]] });
  }
  return sources;
}

function deb822Sources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) =>
      new RegExp(`^${name}:\\s*(.*)$`, "mi").exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
    const uri = field("URIs")[0];
    if (!field("Types").includes("deb") || field("Enabled")[0] === "no" || !uri) continue;
    sources.push({ uri, suites: field("Suites") });
  }
  return sources;
}
