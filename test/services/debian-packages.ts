import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

let updated = false;

/**
 * Installs Debian packages when a program they provide is missing. Tests
 * and the demo run as root on Debian; this is what makes the README's two
 * commands work on a fresh machine.
 */
export function ensureDebianPackages(
  packages: readonly string[],
  programs: readonly string[],
): void {
  if (programs.every(isInstalled)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing ${programs.join(", ")}: run as root, or apt-get install ${packages.join(" ")}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () =>
    execFileSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...packages], {
      env,
      stdio: "ignore",
    });
  try {
    install();
  } catch {
    if (updated) throw new Error(`apt-get install ${packages.join(" ")} failed`);
    execFileSync("apt-get", ["update", "-q"], { env, stdio: "ignore" });
    updated = true;
    install();
  }
}

function isInstalled(program: string): boolean {
  if (program.startsWith("/")) return existsSync(program);
  return ["/usr/bin", "/usr/sbin", "/bin", "/sbin"].some((dir) => existsSync(`${dir}/${program}`));
}
