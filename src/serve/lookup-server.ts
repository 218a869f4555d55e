import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Catalog } from "../catalog/catalog.js";
import type { GivreConfig, TargetConfig } from "../config/config.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { createS3Client } from "../storage/s3-client.js";
import { authRoute } from "./auth-route.js";
import { SdkThawTransport } from "../storage/thaw.js";
import { fetchRoute } from "./fetch-route.js";
import { filesRoute } from "./files-route.js";
import { answerText } from "./http-answers.js";
import { redirectRoute } from "./redirect-route.js";
import { ServeMetrics } from "./serve-metrics.js";
import { ServeService, type TargetAccess } from "./serve-service.js";
import { pathOfTarget } from "./url-path.js";

/**
 * Longer than NGINX's upstream keepalive_timeout (60 s by default), so an
 * idle connection is always closed by NGINX first and never raced.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** How long /healthz waits for the catalog before calling it down. */
const HEALTH_TIMEOUT_MS = 2_000;
/** How often signing credentials are checked for expiry. */
const CREDENTIALS_CHECK_MS = 60_000;
/** A replaced service's sockets are closed after in-flight streams had time to end. */
const RETIRE_AFTER_MS = 120_000;

export interface LookupServerDeps {
  catalog: Catalog;
  log: Logger;
  /** Credentials and cold-object calls per target; default: the target's S3 client. */
  access?: (target: TargetConfig) => TargetAccess;
  /** The clock of caches and recall limits; tests move it. Default Date.now. */
  now?: () => number;
}

type Route = "fetch" | "auth" | "redirect" | "files" | "healthz" | "metrics" | "unknown";

/**
 * `givre serve`: plain node:http, keep-alive, routes dispatched by prefix.
 * The config-dependent parts live in a ServeService swapped whole on
 * reload; the catalog and the listening socket stay.
 */
export class LookupServer {
  readonly #server: Server;
  readonly #deps: LookupServerDeps;
  readonly #metrics = new ServeMetrics();
  readonly #ownAccess: { destroy(): void }[] = [];
  #service!: ServeService;
  #debug = false;
  #credentialsTimer: NodeJS.Timeout | undefined;

  private constructor(deps: LookupServerDeps) {
    this.#deps = deps;
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.#server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  }

  /** Builds the service (credentials included), then listens on serve.listen. */
  static async start(config: GivreConfig, deps: LookupServerDeps): Promise<LookupServer> {
    const server = new LookupServer(deps);
    server.#service = await server.#newService(config);
    server.#debug = deps.log.isLevelEnabled("debug");
    await new Promise<void>((resolve, reject) => {
      server.#server.once("error", reject);
      server.#server.listen(config.serve.port, config.serve.host, () => resolve());
    });
    server.#credentialsTimer = setInterval(
      () => server.#refreshCredentials(),
      CREDENTIALS_CHECK_MS,
    );
    server.#credentialsTimer.unref();
    return server;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get config(): GivreConfig {
    return this.#service.config;
  }

  /**
   * Swaps in a service for a new config; returns the settings that only a
   * restart applies (listen address, catalog), which keep their old value.
   */
  async reload(config: GivreConfig): Promise<string[]> {
    const previous = this.#service;
    const needsRestart: string[] = [];
    if (config.serve.host !== previous.config.serve.host) needsRestart.push("serve.listen");
    if (config.serve.port !== previous.config.serve.port) needsRestart.push("serve.listen");
    if (config.catalog !== previous.config.catalog) needsRestart.push("catalog");
    this.#service = await this.#newService(config);
    setTimeout(() => previous.destroy(), RETIRE_AFTER_MS).unref();
    return [...new Set(needsRestart)];
  }

  /** Stops accepting, lets requests in flight finish, closes idle keep-alive sockets. */
  async close(): Promise<void> {
    clearInterval(this.#credentialsTimer);
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    await closed;
    this.#service.destroy();
    this.#ownAccess.forEach((access) => access.destroy());
  }

  async #newService(config: GivreConfig): Promise<ServeService> {
    const access = this.#deps.access ?? ((target: TargetConfig) => this.#s3Access(target));
    const { catalog, log, now } = this.#deps;
    return new ServeService({ config, catalog, log, access, metrics: this.#metrics, now }).start();
  }

  #s3Access(target: TargetConfig): TargetAccess {
    const client = createS3Client(target, { sockets: 4, maxAttempts: 2 });
    this.#ownAccess.push({ destroy: () => client.destroy() });
    return {
      credentials: () => client.config.credentials(),
      cold: new SdkThawTransport(client, target.bucket),
    };
  }

  #refreshCredentials(): void {
    this.#service.urls.refreshCredentials().catch((error: unknown) => {
      this.#deps.log.error({ error: errorMessage(error) }, "credentials refresh failed");
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const service = this.#service;
    const url = req.url ?? "/";
    const route = routeOf(url);
    let result: void | Promise<void> = undefined;
    try {
      result = this.#dispatch(service, route, url, req, res);
    } catch (error) {
      this.#failed(service, res, route, error);
    }
    // Most lookups answer synchronously: count them now, without a listener.
    if (res.writableEnded) return this.#answered(req, res, route, started);
    res.once("close", () => this.#answered(req, res, route, started));
    if (result) result.catch((error: unknown) => this.#failed(service, res, route, error));
  }

  #dispatch(
    service: ServeService,
    route: Route,
    url: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): void | Promise<void> {
    switch (route) {
      case "auth":
        return authRoute(service, req, res);
      case "fetch":
        return fetchRoute(service, req, res, pathOfTarget(url.slice("/fetch".length)));
      case "redirect":
        return redirectRoute(service, req, res, pathOfTarget(url.slice("/redirect".length)));
      case "files": {
        const rest = url.slice("/v1/files".length);
        const query = new URLSearchParams(rest.slice(pathOfTarget(rest).length + 1));
        return filesRoute(service, service.prefixes, req, res, pathOfTarget(rest), query);
      }
      case "healthz":
        return this.#health(service, res);
      case "metrics":
        return this.#metricsRoute(service, res);
      case "unknown":
        return answerText(res, 404, "no such route");
    }
  }

  async #health(service: ServeService, res: ServerResponse): Promise<void> {
    try {
      const probe = service.catalog.get("", "");
      const timeout = new Promise((_, reject) => {
        setTimeout(
          () => reject(new Error("catalog did not answer in time")),
          HEALTH_TIMEOUT_MS,
        ).unref();
      });
      await Promise.race([probe, timeout]);
      answerText(res, 200, "ok");
    } catch (error) {
      service.log.error({ error: errorMessage(error) }, "health check failed");
      answerText(res, 503, `catalog unavailable: ${errorMessage(error)}`);
    }
  }

  #metricsRoute(service: ServeService, res: ServerResponse): void {
    const body = this.#metrics.render({
      lookups: service.lookup.counts,
      authAnswersReused: service.authAnswers.hits,
      signatures: () => service.urls.signatures,
      recalls: service.cold.counts,
    });
    res.writeHead(200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  }

  #answered(req: IncomingMessage, res: ServerResponse, route: Route, started: number): void {
    const seconds = (performance.now() - started) / 1000;
    this.#metrics.answered(route, res.statusCode, seconds);
    if (!this.#debug) return;
    const context = { route, method: req.method, status: res.statusCode, ms: seconds * 1000 };
    this.#deps.log.debug({ ...context, path: pathOfTarget(req.url ?? "") }, "request answered");
  }

  #failed(service: ServeService, res: ServerResponse, route: Route, error: unknown): void {
    service.log.error({ route, error: errorMessage(error) }, "request failed");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    answerText(res, 502, "lookup failed");
  }
}

function routeOf(url: string): Route {
  if (url.startsWith("/auth") && (url.length === 5 || url[5] === "?")) return "auth";
  if (url.startsWith("/fetch/")) return "fetch";
  if (url.startsWith("/redirect/")) return "redirect";
  if (url.startsWith("/v1/files/")) return "files";
  if (url === "/healthz") return "healthz";
  if (url === "/metrics") return "metrics";
  return "unknown";
}
