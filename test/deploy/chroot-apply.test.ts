import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { copyDebianRoot, type DebianRoot } from "../services/debian-root.js";
import {
  REPO_ROOT,
  changedTasks,
  ensureAnsible,
  playRecap,
  runAnsible,
  type CommandResult,
} from "../support/ansible.js";
import { GIVRE_BIN } from "../support/givre-process.js";
import { createTestBucket, s3UnderTest } from "../support/s3.js";

/**
 * Opt-in (GIVRE_TEST_DEPLOY=1), and on by default under CI (CI=true), which
 * has the time: it bootstraps Debian 13 from the Debian mirror on first use
 * (about 90 s, then cached) and installs packages into it on every run
 * (about a minute). GIVRE_TEST_DEPLOY=0 turns it off. The root is applied
 * to twice through Ansible's chroot connection, then givre, as installed,
 * is run inside it.
 */
const ENABLED =
  process.env.GIVRE_TEST_DEPLOY === "1" ||
  (process.env.CI === "true" && process.env.GIVRE_TEST_DEPLOY !== "0");
const SETUP_TIMEOUT_MS = 40 * 60_000;
const UNITS = ["givre-run.service", "givre-run.timer", "givre-serve.service"];

const RADAR_POLICY = {
  name: "radar",
  root: "data",
  match: { include: ["radar/**/*.png"] },
  age: { older_than: "30d" },
  action: "archive",
  target: "archive",
  prefix: "radar/",
};
const TILES_POLICY_TEXT = `# Map tiles: packed, kept local.
name: tiles
root: data
match: { include: [tiles/**/*.png] }
age: { older_than: 90d }
action: copy
target: archive
`;

describe.skipIf(!ENABLED)("the givre role applied twice to Debian 13 in a chroot", () => {
  let work: string;
  let debian: DebianRoot;
  let root: string;
  let bucket: string;
  let config: Record<string, unknown>;
  let credentials: Record<string, string>;
  let first: CommandResult;
  let second: CommandResult;

  const inRoot = (path: string) => join(root, path);

  beforeAll(async () => {
    ensureAnsible();
    if (!existsSync(GIVRE_BIN)) throw new Error(`${GIVRE_BIN} is missing: run npm run build`);
    work = mkdtempSync(join(tmpdir(), "givre-deploy-"));
    const bundle = buildBundle(work);
    debian = copyDebianRoot("trixie");
    root = debian.root;
    mkdirSync(inRoot("srv/data/radar"), { recursive: true });
    mkdirSync(inRoot("etc/givre/policies"), { recursive: true });
    writeFileSync(inRoot("etc/givre/policies/99-forgotten.yaml"), "name: forgotten\n");

    const s3 = s3UnderTest();
    bucket = await createTestBucket("deploy");
    config = {
      roots: { data: "/srv/data" },
      targets: { archive: { endpoint: s3.endpoint, region: s3.region, bucket } },
      serve: { listen: "127.0.0.1:8470", prefixes: { "/data/": "data" } },
    };
    credentials = { AWS_ACCESS_KEY_ID: s3.accessKey, AWS_SECRET_ACCESS_KEY: s3.secretKey };
    const vars = {
      givre_bundle: bundle,
      givre_config: config,
      givre_policies: { "10-radar": RADAR_POLICY, "20-tiles": TILES_POLICY_TEXT },
      givre_credentials: credentials,
      givre_groups: ["www-data"],
      givre_run_on_calendar: "*-*-* 03:30:00",
    };
    writeFileSync(join(work, "vars.json"), JSON.stringify(vars));
    writeFileSync(
      join(work, "inventory.json"),
      JSON.stringify({
        all: { children: { givre: { hosts: { [root]: { ansible_connection: "chroot" } } } } },
      }),
    );

    first = await applyRole(work);
    second = await applyRole(work);
  }, SETUP_TIMEOUT_MS);

  afterAll(() => {
    debian?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("the first apply succeeds and changes the root", () => {
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(playRecap(first.stdout)[root]).toMatchObject({ failed: 0, unreachable: 0 });
    expect(playRecap(first.stdout)[root]!.changed).toBeGreaterThan(10);
  });

  it("the second apply reports no changes", () => {
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(changedTasks(second.stdout)).toEqual([]);
    expect(playRecap(second.stdout)[root]).toMatchObject({ changed: 0, failed: 0 });
  });

  it("installs the units of contrib/systemd byte for byte, and enables them", () => {
    for (const unit of UNITS) {
      const installed = readFileSync(inRoot(`etc/systemd/system/${unit}`));
      expect(installed.equals(readFileSync(join(REPO_ROOT, "contrib/systemd", unit))), unit).toBe(
        true,
      );
    }
    expect(
      readlinkSync(inRoot("etc/systemd/system/multi-user.target.wants/givre-serve.service")),
    ).toBe("/etc/systemd/system/givre-serve.service");
    expect(readlinkSync(inRoot("etc/systemd/system/timers.target.wants/givre-run.timer"))).toBe(
      "/etc/systemd/system/givre-run.timer",
    );
  });

  it("makes the state folder and the data root writable for the run through drop-ins", () => {
    const dropIn = (unit: string, name: string) =>
      readFileSync(inRoot(`etc/systemd/system/${unit}.d/${name}`), "utf8");
    expect(dropIn("givre-run.service", "50-givre-paths.conf")).toContain(
      '[Service]\nReadWritePaths="/var/lib/givre"\nReadWritePaths="/srv/data"\n',
    );
    expect(dropIn("givre-serve.service", "50-givre-paths.conf")).toContain(
      '[Service]\nReadWritePaths="/var/lib/givre"\n',
    );
    expect(dropIn("givre-run.timer", "50-givre-schedule.conf")).toContain(
      "[Timer]\nOnCalendar=\nOnCalendar=*-*-* 03:30:00\n",
    );
  });

  it("passes the target's own systemd-analyze verify, drop-ins included", () => {
    const result = spawnSync(
      "chroot",
      [root, "systemd-analyze", "verify", ...UNITS.map((unit) => `/etc/systemd/system/${unit}`)],
      { encoding: "utf8" },
    );
    expect(result.stderr + result.stdout).toBe("");
    expect(result.status).toBe(0);
  });

  it("writes credentials.env as root's, mode 0600, with the credentials", () => {
    const file = inRoot("etc/givre/credentials.env");
    const stat = statSync(file);
    expect(stat.mode & 0o777).toBe(0o600);
    expect([stat.uid, stat.gid]).toEqual([0, 0]);
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines.filter((line) => !line.startsWith("#"))).toEqual([
      `AWS_ACCESS_KEY_ID='${credentials.AWS_ACCESS_KEY_ID}'`,
      `AWS_SECRET_ACCESS_KEY='${credentials.AWS_SECRET_ACCESS_KEY}'`,
      "",
    ]);
  });

  it("writes the config and the policies as given, and removes a forgotten policy", () => {
    expect(parse(readFileSync(inRoot("etc/givre/givre.yaml"), "utf8"))).toEqual({
      state_dir: "/var/lib/givre",
      policies: "/etc/givre/policies",
      ...config,
    });
    const policies = inRoot("etc/givre/policies");
    expect(parse(readFileSync(join(policies, "10-radar.yaml"), "utf8"))).toEqual(RADAR_POLICY);
    expect(readFileSync(join(policies, "20-tiles.yaml"), "utf8")).toContain(TILES_POLICY_TEXT);
    expect(existsSync(join(policies, "99-forgotten.yaml"))).toBe(false);
    expect(statSync(inRoot("etc/givre/givre.yaml")).mode & 0o777).toBe(0o640);
  });

  it("creates the system user givre, in the groups asked for", () => {
    const id = execFileSync("chroot", [root, "id", "givre"], { encoding: "utf8" });
    expect(id).toMatch(/^uid=\d+\(givre\) gid=\d+\(givre\) groups=\d+\(givre\),\d+\(www-data\)\n$/);
    expect(Number(/^uid=(\d+)/.exec(id)![1])).toBeLessThan(1000);
  });

  it("installs a givre that passes doctor against the S3 under test, as the user givre", () => {
    // Only PATH from here: the credentials must come from credentials.env.
    const result = spawnSync("chroot", [root, "/usr/local/bin/givre", "doctor"], {
      encoding: "utf8",
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("catalog  sqlite /var/lib/givre/catalog.db: opens");
    expect(result.stdout).toContain(
      "target   archive: reachable, credentials accepted, bucket exists",
    );
    expect(result.stdout.trim().split("\n").at(-1)).toBe("healthy");
    expect(result.status).toBe(0);
    const catalog = statSync(inRoot("var/lib/givre/catalog.db"));
    expect(catalog.uid).toBe(statSync(inRoot("var/lib/givre")).uid);
  });

  it("installs the four NGINX snippets exactly as contrib/nginx has them", () => {
    for (const name of [
      "givre-upstream.conf",
      "givre-fallback.conf",
      "givre-auth.conf",
      "givre-redirect.conf",
    ]) {
      const installed = readFileSync(inRoot(`etc/nginx/snippets/${name}`));
      expect(installed.equals(readFileSync(join(REPO_ROOT, "contrib/nginx", name))), name).toBe(
        true,
      );
    }
  });
});

/** deploy/build-bundle.sh on the installed node_modules and the built dist/. */
function buildBundle(out: string): string {
  const output = execFileSync(
    join(REPO_ROOT, "deploy/build-bundle.sh"),
    ["--no-ci", "--no-build", "--out", out],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  return output.trim().split("\n").at(-1)!;
}

async function applyRole(work: string): Promise<CommandResult> {
  return runAnsible("ansible-playbook", [
    "-i",
    join(work, "inventory.json"),
    "-e",
    `@${join(work, "vars.json")}`,
    "site.yml",
  ]);
}
