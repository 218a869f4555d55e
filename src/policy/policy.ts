/**
 * A policy as loaded from one YAML file in the policies folder (DESIGN
 * "Policies"). Plain data: matching is compiled separately
 * (policy/compile-policy.ts) so that a policy can be printed and compared.
 */

export type PolicyAction = "archive" | "copy";
export type AgeSource = "mtime" | "path";

export interface PackSettings {
  /**
   * Group template: `{dir}` (the file's folder), and with `age.from: path`
   * the date parts its path_date names, such as `{yyyy}/{mm}/{dd}`.
   */
  group: string;
  /** Files under this size (bytes) go into packs; larger files go alone. */
  smallerThan: number;
  /** A pack is closed at this many bytes. Default 1 GiB. */
  maxSize: number;
  /** ... or at this many members. Default 10,000. */
  maxFiles: number;
}

export interface PolicyLimits {
  /** Most files one run takes for this policy. */
  files?: number;
  /** Most bytes one run takes for this policy. */
  bytes?: number;
  /** Upload rate cap, bytes per second. */
  bandwidth?: number;
}

export interface Policy {
  name: string;
  /** The YAML file it came from; policies apply in file-name order. */
  file: string;
  root: string;
  include: string[];
  exclude: string[];
  size: { min?: number; max?: number };
  age: {
    olderThanMs: number;
    from: AgeSource;
    /** With `from: path`: a pattern such as `radar/*\/{yyyy}/{mm}/{dd}/`. */
    pathDate?: string;
  };
  /** Globs of files that stay local forever, whatever else matches. */
  keep: string[];
  action: PolicyAction;
  target: string;
  /** Object key prefix; the key is prefix + path. Default `<root>/`. */
  prefix: string;
  /** Default STANDARD. */
  storageClass: string;
  pack?: PackSettings;
  limits: PolicyLimits;
}
