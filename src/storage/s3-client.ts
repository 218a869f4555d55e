import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { TargetConfig } from "../config/config.js";
import { addContentMd5 } from "./content-md5.js";

// The SDK warns on every process that Node 20 will soon be unsupported; the
// CLI's output is a contract (JSON logs under cron), so the warning is off.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** How long to wait for a TCP connection before calling the target unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A request whose socket is idle this long is retried. */
const SOCKET_IDLE_TIMEOUT_MS = 120_000;
/** SDK-level attempts per request: covers 5xx, SlowDown, resets and timeouts. */
const MAX_ATTEMPTS = 5;

export interface S3ClientOptions {
  /** Sockets kept alive to the target; default the target's concurrency. */
  sockets?: number;
  /** Default 5; tests of failure paths want 1. */
  maxAttempts?: number;
}

/**
 * One S3 client per target. In `compat` mode the SDK's own request and
 * response checksums are off (WHEN_REQUIRED), because many S3-compatible
 * servers reject or mangle them; givre proves uploads itself (Content-MD5,
 * ETag, SHA-256 metadata). `aws` mode adds the SDK's flexible checksums.
 */
export function createS3Client(target: TargetConfig, options: S3ClientOptions = {}): S3Client {
  const sockets = options.sockets ?? target.concurrency;
  const agentOptions = { keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets };
  const checksums = target.checksums === "aws" ? "WHEN_SUPPORTED" : "WHEN_REQUIRED";
  const client = new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    forcePathStyle: target.pathStyle,
    profile: target.profile,
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS,
    retryMode: "standard",
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: SOCKET_IDLE_TIMEOUT_MS,
    }),
  });
  addContentMd5(client);
  return client;
}
