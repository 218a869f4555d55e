import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ANSIBLE_DIR, REPO_ROOT, ensureAnsible, runAnsible } from "../support/ansible.js";

const ROLE_DIR = join(ANSIBLE_DIR, "roles/givre");
const PREFLIGHT_PLAYBOOK = join(REPO_ROOT, "test/deploy/fixtures/preflight.yml");

function roleYaml(path: string): unknown {
  return parse(readFileSync(join(ROLE_DIR, path), "utf8"));
}

interface PreflightResult {
  code: number | null;
  /** The message of the check that stopped the play, if one did. */
  failure: string | undefined;
}

/**
 * Runs only the role's checks (tasks/preflight.yml), on the controller with
 * no facts gathered: the facts a check reads come in as extra vars, so any
 * Debian release can be tried from this machine, and nothing on it changes.
 */
async function preflight(vars: Record<string, unknown>): Promise<PreflightResult> {
  const defaults = {
    ansible_distribution: "Debian",
    ansible_distribution_major_version: "13",
    ansible_distribution_version: "13.1",
    givre_bundle: "/srv/bundles/givre-0.1.0-node20-linux-x64.tar.gz",
    givre_config: { roots: { data: "/srv/data" }, targets: { archive: { bucket: "b" } } },
  };
  const result = await runAnsible(
    "ansible-playbook",
    ["-i", "localhost,", "-e", JSON.stringify({ ...defaults, ...vars }), PREFLIGHT_PLAYBOOK],
    {
      ANSIBLE_STDOUT_CALLBACK: "ansible.posix.json",
      ANSIBLE_ROLES_PATH: join(ANSIBLE_DIR, "roles"),
    },
  );
  return { code: result.code, failure: failureMessage(result.stdout) };
}

function failureMessage(stdout: string): string | undefined {
  const report = JSON.parse(stdout) as {
    plays: { tasks: { hosts: Record<string, { failed?: boolean; msg?: string }> }[] }[];
  };
  for (const task of report.plays.flatMap((play) => play.tasks)) {
    const failed = Object.values(task.hosts).find((host) => host.failed);
    if (failed) return failed.msg;
  }
  return undefined;
}

describe("deploy/ansible", () => {
  beforeAll(() => ensureAnsible());

  it("site.yml passes ansible-playbook --syntax-check with the example inventory", async () => {
    const result = await runAnsible("ansible-playbook", [
      "--syntax-check",
      "-i",
      "inventory.example.yml",
      "site.yml",
    ]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("playbook: site.yml");
    expect(result.code).toBe(0);
  });

  it("the playbook and role pass ansible-lint's production profile", async () => {
    const result = await runAnsible("ansible-lint", [
      "--offline",
      "--profile",
      "production",
      "site.yml",
      "roles/givre",
    ]);
    expect(result.stdout + result.stderr).toContain("Passed with production profile");
    expect(result.code).toBe(0);
  });

  it("the role installs every unit of contrib/systemd, copied from the bundle", () => {
    const vars = roleYaml("vars/main.yml") as { givre_units: string[] };
    expect(vars.givre_units).toEqual(readdirSync(join(REPO_ROOT, "contrib/systemd")).sort());

    const tasks = roleYaml("tasks/systemd.yml") as Record<string, unknown>[];
    const install = tasks.find((task) => task.name === "Install the systemd units from the bundle");
    expect(install?.["ansible.builtin.copy"]).toMatchObject({
      src: "{{ givre_current }}/contrib/systemd/{{ item }}",
      remote_src: true,
    });
    expect(install?.loop).toBe("{{ givre_units }}");
  });

  it("the bundle carries contrib/, where the role takes units and snippets from", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      files: string[];
    };
    expect(pkg.files).toContain("contrib");
  });

  describe("preflight", () => {
    it("accepts Debian 13 with its own nodejs", async () => {
      expect(await preflight({})).toEqual({ code: 0, failure: undefined });
    });

    it("stops on Debian 12 without a Node.js repository, naming the variables", async () => {
      const result = await preflight({
        ansible_distribution_major_version: "12",
        ansible_distribution_version: "12.11",
      });
      expect(result.code).toBe(2);
      expect(result.failure).toBe(
        "Debian 12's nodejs is too old for givre, which needs Node.js 20.19.0 or newer " +
          "(Debian 13's is enough). Set givre_nodejs_apt_repository (\"URI SUITE " +
          'COMPONENT...") and givre_nodejs_apt_key (its signing key, a path on the ' +
          "controller) to an apt repository that carries it.",
      );
    });

    it("accepts Debian 12 with a Node.js repository and its key", async () => {
      const result = await preflight({
        ansible_distribution_major_version: "12",
        givre_nodejs_apt_repository: "https://apt.example.org/node_20.x nodistro main",
        givre_nodejs_apt_key: "files/nodejs.asc",
      });
      expect(result).toEqual({ code: 0, failure: undefined });
    });

    it("stops on Ubuntu", async () => {
      const result = await preflight({
        ansible_distribution: "Ubuntu",
        ansible_distribution_version: "24.04",
      });
      expect(result.failure).toBe(
        "The givre role installs on Debian 12 or later; this host runs Ubuntu 24.04.",
      );
    });

    it("stops when no bundle is named", async () => {
      const result = await preflight({ givre_bundle: "" });
      expect(result.failure).toMatch(/^Set givre_bundle to the tarball that deploy\/build-bundle/);
    });

    it("stops when the config has no roots or sets state_dir itself", async () => {
      for (const givre_config of [
        { targets: { archive: { bucket: "b" } } },
        { roots: { data: "/srv/data" }, targets: {}, state_dir: "/srv/givre" },
      ]) {
        const result = await preflight({ givre_config });
        expect(result.failure).toMatch(/^givre_config needs roots and targets/);
      }
    });

    it("names, without their values, the credentials credentials.env cannot hold", async () => {
      const result = await preflight({
        givre_credentials: {
          AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
          AWS_SECRET_ACCESS_KEY: "it's-secret",
          "BAD-NAME": "x",
          AWS_SESSION_TOKEN: "line\nbreak",
        },
      });
      expect(result.failure).toBe(
        "givre_credentials: AWS_SECRET_ACCESS_KEY, BAD-NAME, AWS_SESSION_TOKEN cannot go into " +
          "credentials.env: a name must be letters, digits and _, and a value may not hold a " +
          "single quote or a line break.",
      );
    });
  });
});
