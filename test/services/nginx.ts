import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureDebianPackages } from "./debian-packages.js";
import { freePort, httpAnswers, waitFor } from "./free-port.js";
import { servicesTmpdir, claimServiceDir, reapOrphans } from "./orphans.js";

export interface NginxServer {
  port: number;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * NGINX on a spare loopback port, in the foreground as a child of the test.
 * `server` is the body of one `server { }` block; `{{port}}` in it is
 * replaced by the chosen port. Workers run as root so they can read the
 * tests' temp folders.
 */
export async function startNginx(server: string, http = ""): Promise<NginxServer> {
  ensureDebianPackages(["nginx-light"], ["nginx"]);
  reapOrphans("givre-nginx-", stopOrphan);
  const dir = mkdtempSync(join(servicesTmpdir(), "givre-nginx-"));
  claimServiceDir(dir);
  mkdirSync(join(dir, "logs"));
  const port = await freePort();
  const conf = `user root;
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log ${dir}/logs/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  ${http}
  server {
    listen 127.0.0.1:${port};
    ${server.replaceAll("{{port}}", String(port))}
  }
}
`;
  writeFileSync(join(dir, "nginx.conf"), conf);
  const child = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `nginx at ${url}`,
      async () => child.exitCode === null && httpAnswers(url),
      15_000,
    );
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`nginx did not start: ${stderr || (error as Error).message}`);
  }
  return { port, url, dir, stop: () => stopChild(child, dir) };
}

function stopOrphan(dir: string): void {
  try {
    process.kill(Number(readFileSync(join(dir, "nginx.pid"), "utf8")), "SIGKILL");
  } catch {
    // Already gone.
  }
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGQUIT");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}
