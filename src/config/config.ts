/**
 * The configuration contract (DESIGN "Configuration"). Field names are
 * camelCase here and snake_case in YAML; every default is documented on
 * its field and in README "Configuration".
 */

export type ChecksumMode = "compat" | "aws";
export type DeliveryMode = "stream" | "accel" | "redirect";

export interface TargetConfig {
  name: string;
  /** S3 endpoint URL; absent means AWS itself. */
  endpoint: string | undefined;
  /** Default `us-east-1`. */
  region: string;
  bucket: string;
  /** Default true when an endpoint is given (most S3-compatible servers want it). */
  pathStyle: boolean;
  /** Default `compat` unless the endpoint is AWS. */
  checksums: ChecksumMode;
  /** Most parts one multipart upload may use. Default 10,000 (S3's limit). */
  maxParts: number;
  /** Named AWS profile for credentials; default: the usual AWS variables and files. */
  profile: string | undefined;
  /** Requests in flight to this target. Default 32. */
  concurrency: number;
  /** Files at or above this size go multipart. Default 64 MiB. */
  multipartThreshold: number;
  /** Smallest part size; grows so a file fits in maxParts. Default 16 MiB. */
  partSize: number;
}

export interface ServeConfig {
  /** Default 127.0.0.1:8470 (loopback only). */
  host: string;
  port: number;
  /** URL prefix (`/data/`) to root name. */
  prefixes: Readonly<Record<string, string>>;
  /** Default `stream`. */
  delivery: DeliveryMode;
  /** NGINX internal location that proxies a signed URL, for `accel`. Default `/_givre_s3/`. */
  accelLocation: string;
  /** Lifetime of a signed URL in seconds. Default 900. */
  urlTtl: number;
  /** Lookups kept in memory. Default 100,000. */
  cacheEntries: number;
  /** How long a "not archived" answer is cached, in ms. Default 5,000. */
  negativeTtl: number;
  /** Thaw a cold object when a client asks for it; default false. */
  recallOnAccess: boolean;
  /** Most recalls started per minute when recallOnAccess is on. Default 10. */
  recallsPerMinute: number;
}

export interface ManifestConfig {
  /** Flush a manifest segment after this many lines. Default 1,000. */
  flushFiles: number;
  /** ... or after this many ms. Default 60,000. */
  flushInterval: number;
}

export interface RestoreConfig {
  /**
   * Storage classes whose objects must be thawed (RestoreObject) before a
   * GET. Default GLACIER and DEEP_ARCHIVE (AWS, and the names Scaleway and
   * others reuse). GLACIER_IR is readable at once, so it is not in it.
   */
  coldStorageClasses: string[];
  /** Days a thawed copy stays readable. Default 7. */
  thawDays: number;
  /** Thaw speed asked for. Default Standard. */
  thawTier: ThawTier;
  /** How often `restore --wait` asks whether a thaw is done, in ms. Default 5 minutes. */
  pollInterval: number;
}

export type ThawTier = "Expedited" | "Standard" | "Bulk";

export interface GivreConfig {
  /** The file this was loaded from. */
  file: string;
  /** Default /var/lib/givre: catalog.db, lock, local manifests. */
  stateDir: string;
  /** Default /etc/givre/policies. */
  policies: string;
  /** `sqlite` (default, `<stateDir>/catalog.db`), `sqlite:PATH`, or a postgres:// URL. */
  catalog: string;
  roots: Readonly<Record<string, string>>;
  targets: Readonly<Record<string, TargetConfig>>;
  serve: ServeConfig;
  manifests: ManifestConfig;
  restore: RestoreConfig;
}

export const DEFAULT_CONFIG_FILE = "/etc/givre/givre.yaml";
