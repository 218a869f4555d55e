import { spawn, type ChildProcess } from "node:child_process";
import { freePort, waitFor } from "../services/free-port.js";
import { GIVRE_BIN, cleanEnv } from "./givre-process.js";
import { s3Env } from "./s3.js";

export interface ServeProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** What it logged so far (JSON lines). */
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `givre serve` from the built CLI, as systemd runs it, on a spare port. */
export async function startServeProcess(
  configFile: string,
  extraArgs: readonly string[] = [],
): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [GIVRE_BIN, "serve", "--config", configFile, "--listen", `127.0.0.1:${port}`, ...extraArgs],
    { env: { ...cleanEnv(), ...s3Env() }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    await waitFor(
      `givre serve at ${url}`,
      async () => {
        if (child.exitCode !== null) throw new Error(stderr);
        return (await fetch(`${url}/healthz`)).ok;
      },
      15_000,
    );
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`givre serve did not start: ${stderr || (error as Error).message}`);
  }
  return {
    port,
    url,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
