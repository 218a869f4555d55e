import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDebianPackages } from "../services/debian-packages.js";

const UNITS_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../contrib/systemd");
const UNITS = ["givre-run.service", "givre-run.timer", "givre-serve.service"];

/** Lines `Key=value` of a unit file, without comments. */
function settings(unit: string): string[] {
  return readFileSync(join(UNITS_DIR, unit), "utf8")
    .split("\n")
    .filter((line) => /^[A-Za-z]+=/.test(line));
}

describe("contrib/systemd", () => {
  let root: string;

  // systemd-analyze checks that every Exec*= program exists. A root folder
  // with this machine's unit library, the units in /etc/systemd/system and
  // stubs for /usr/bin/node and /bin/kill makes the check independent of
  // where this machine keeps Node.js. The drop-in is the kind the role adds.
  beforeAll(() => {
    ensureDebianPackages(["systemd"], ["systemd-analyze"]);
    root = mkdtempSync(join(tmpdir(), "givre-units-"));
    const units = join(root, "etc/systemd/system");
    mkdirSync(join(units, "givre-run.service.d"), { recursive: true });
    cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), {
      recursive: true,
      verbatimSymlinks: true,
    });
    for (const unit of UNITS) copyFileSync(join(UNITS_DIR, unit), join(units, unit));
    writeFileSync(
      join(units, "givre-run.service.d/50-givre-paths.conf"),
      '[Service]\nReadWritePaths="/var/lib/givre"\nReadWritePaths="/srv/data"\n',
    );
    for (const program of ["usr/bin/node", "bin/kill"]) {
      mkdirSync(join(root, program, ".."), { recursive: true });
      writeFileSync(join(root, program), "#!/bin/sh\n");
      chmodSync(join(root, program), 0o755);
    }
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("holds exactly the units the role installs", () => {
    expect(readdirSync(UNITS_DIR).sort()).toEqual(UNITS);
  });

  it("passes systemd-analyze verify without a warning", () => {
    const result = spawnSync("systemd-analyze", ["verify", `--root=${root}`, ...UNITS], {
      encoding: "utf8",
    });
    expect(result.stderr + result.stdout).toBe("");
    expect(result.status).toBe(0);
  });

  it.each(["givre-serve.service", "givre-run.service"])(
    "%s is rated OK by systemd-analyze security",
    (unit) => {
      const report = execFileSync(
        "systemd-analyze",
        ["security", "--offline=true", `--root=${root}`, unit],
        { encoding: "utf8" },
      );
      const score = /Overall exposure level for \S+: ([\d.]+) (\w+)/.exec(report);
      expect(score?.[2]).toBe("OK");
      expect(Number(score?.[1])).toBeLessThanOrEqual(2);
    },
  );

  it("runs both services as the user givre with the credentials file", () => {
    for (const unit of ["givre-serve.service", "givre-run.service"]) {
      expect(settings(unit)).toEqual(
        expect.arrayContaining([
          "User=givre",
          "EnvironmentFile=/etc/givre/credentials.env",
          "ProtectSystem=strict",
          "StateDirectory=givre",
          "CapabilityBoundingSet=",
        ]),
      );
    }
  });

  it("counts a run that finds the lock held (exit 3) as a success", () => {
    expect(settings("givre-run.service")).toEqual(
      expect.arrayContaining(["Type=oneshot", "SuccessExitStatus=3"]),
    );
  });

  it("reloads givre serve with SIGHUP and restarts it only after a failure", () => {
    expect(settings("givre-serve.service")).toEqual(
      expect.arrayContaining([
        "ExecReload=/bin/kill -HUP $MAINPID",
        "Restart=on-failure",
        "RestartPreventExitStatus=2",
      ]),
    );
  });

  it("starts the run nightly and catches up on a missed night", () => {
    expect(settings("givre-run.timer")).toEqual([
      "Description=Nightly givre run",
      "OnCalendar=*-*-* 02:00:00",
      "RandomizedDelaySec=30min",
      "AccuracySec=1min",
      "Persistent=true",
      "WantedBy=timers.target",
    ]);
  });
});
