import type { TargetConfig } from "../config/config.js";
import { StorageError } from "../errors.js";
import { UNREACHABLE_SOCKET_CODES } from "../unreachable-codes.js";

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

const NETWORK_CODES = new Set<string>([...UNREACHABLE_SOCKET_CODES, "TimeoutError"]);

/** The S3 error code of an SDK error (`NoSuchBucket`, `SignatureDoesNotMatch`, ...). */
export function s3ErrorCode(error: unknown): string | undefined {
  const e = error as SdkError | undefined;
  return e?.Code ?? e?.name ?? e?.code;
}

export function httpStatus(error: unknown): number | undefined {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode;
}

export function isNetworkError(error: unknown): boolean {
  let current = error as SdkError | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (NETWORK_CODES.has(current.code ?? "") || NETWORK_CODES.has(current.name ?? "")) return true;
    current = current.cause as SdkError | undefined;
  }
  return false;
}

/**
 * Turns an SDK failure that concerns the whole target (unreachable,
 * credentials, bucket) into a StorageError that names the target and the
 * fix; returns undefined for errors that concern one object.
 */
export function targetFailure(target: TargetConfig, error: unknown): StorageError | undefined {
  const where = `target "${target.name}" (${target.endpoint ?? "AWS"}, bucket ${target.bucket})`;
  const code = s3ErrorCode(error);
  const make = (id: string, message: string, hint: string) =>
    new StorageError(id, `${where}: ${message}`, { hint, cause: error });
  if (isNetworkError(error)) {
    return make(
      "STORAGE_UNREACHABLE",
      `unreachable (${networkReason(error)})`,
      "check the endpoint URL and that the S3 server is up",
    );
  }
  switch (code) {
    case "CredentialsProviderError":
      return make(
        "STORAGE_NO_CREDENTIALS",
        "no credentials found",
        "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile in the target",
      );
    case "InvalidAccessKeyId":
      return make(
        "STORAGE_BAD_ACCESS_KEY",
        "the server does not know this access key",
        "check AWS_ACCESS_KEY_ID (or the profile's aws_access_key_id)",
      );
    case "SignatureDoesNotMatch":
      return make(
        "STORAGE_BAD_SECRET",
        "the secret key was refused (signature does not match)",
        "check AWS_SECRET_ACCESS_KEY (or the profile's aws_secret_access_key)",
      );
    case "NoSuchBucket":
      return make(
        "STORAGE_NO_BUCKET",
        "the bucket does not exist",
        `create bucket ${target.bucket}, or fix targets.${target.name}.bucket`,
      );
    case "AccessDenied":
    case "AllAccessDisabled":
      return make(
        "STORAGE_ACCESS_DENIED",
        "credentials accepted but access was denied",
        "grant these credentials list, read, write and delete on the bucket",
      );
    case "RequestTimeTooSkewed":
      return make(
        "STORAGE_CLOCK_SKEW",
        "the server refused our clock",
        "synchronise this host's clock (systemd-timesyncd or chrony)",
      );
    default:
      return undefined;
  }
}

function networkReason(error: unknown): string {
  let current = error as SdkError | undefined;
  while (current?.cause && !current.code) current = current.cause as SdkError;
  return current?.code ?? current?.name ?? "network error";
}
