import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { S3Endpoint } from "../services/ceph-gateway.js";

export interface DemoPaths {
  configFile: string;
  dataDir: string;
  stateDir: string;
  policiesDir: string;
}

/** The config an operator would write, pointing at the demo's gateway. */
export function writeDemoConfig(dir: string, s3: S3Endpoint, bucket: string): DemoPaths {
  const paths = {
    configFile: join(dir, "givre.yaml"),
    dataDir: join(dir, "srv/data"),
    stateDir: join(dir, "var/lib/givre"),
    policiesDir: join(dir, "etc/policies"),
  };
  for (const folder of [paths.dataDir, paths.stateDir, paths.policiesDir]) {
    mkdirSync(folder, { recursive: true });
  }
  writeFileSync(
    paths.configFile,
    `state_dir: ${paths.stateDir}
policies: ${paths.policiesDir}
catalog: sqlite
roots:
  data: ${paths.dataDir}
targets:
  archive:
    endpoint: ${s3.endpoint}
    region: ${s3.region}
    bucket: ${bucket}
serve:
  listen: 127.0.0.1:0
  prefixes:
    /data/: data
`,
  );
  return paths;
}
