import type { Command } from "commander";
import { openCatalog } from "../catalog/open-catalog.js";
import type { GivreConfig } from "../config/config.js";
import { loadConfig } from "../config/load-config.js";
import { UsageError } from "../errors.js";
import { ConfigReloader } from "../serve/config-reloader.js";
import { LookupServer } from "../serve/lookup-server.js";
import { commandContext } from "./context.js";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

interface ServeOptions {
  listen?: string;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("answer NGINX and PHP for archived paths: stream, auth_request, redirect, JSON")
    .option("--listen <host:port>", "address to listen on (default: serve.listen, 127.0.0.1:8470)")
    .addHelpText(
      "after",
      `
Routes: /fetch/<url path>, /auth (X-Original-URI), /redirect/<url path>,
/v1/files/<url path>, /healthz, /metrics. The config file is watched and
reloaded on change or SIGHUP; SIGTERM and SIGINT stop after requests in
flight. NGINX snippets and a PHP helper are in contrib/.`,
    )
    .action(async (options: ServeOptions, command: Command) => {
      const { config, log } = commandContext(command);
      const withListen = (loaded: GivreConfig) => overrideListen(loaded, options.listen);
      const catalog = await openCatalog(config);
      const server = await LookupServer.start(withListen(config), { catalog, log });
      const reloader = new ConfigReloader({
        file: config.file,
        load: () => withListen(loadConfig(config.file)),
        apply: (next) => server.reload(next),
        log,
      });
      const { host, port } = withListen(config).serve;
      log.info({ host, port: server.port || port, catalog: catalog.describe() }, "serving");
      if (!LOOPBACK.test(host)) {
        // Anyone who reaches this port gets signed URLs for archived paths.
        log.warn({ host }, "listening beyond loopback");
      }
      await stopSignal();
      log.info({}, "stopping");
      await reloader.close();
      await server.close();
      await catalog.close();
    });
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => resolve(signal);
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

/** `--listen` wins over serve.listen, on every reload too. */
function overrideListen(config: GivreConfig, listen: string | undefined): GivreConfig {
  if (listen === undefined) return config;
  const match = /^(.+):(\d{1,5})$/.exec(listen);
  if (!match || Number(match[2]) > 65535) {
    throw new UsageError("LISTEN_INVALID", `--listen: expected HOST:PORT, found "${listen}"`);
  }
  const host = match[1]!.replace(/^\[(.*)\]$/, "$1");
  return { ...config, serve: { ...config.serve, host, port: Number(match[2]) } };
}
