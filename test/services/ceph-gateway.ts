import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureDebianPackages } from "./debian-packages.js";
import { freePort, httpAnswers, waitFor } from "./free-port.js";
import { servicesTmpdir, claimServiceDir, isAlive, reapOrphans } from "./orphans.js";

/** An S3 endpoint and the credentials that work there. */
export interface S3Endpoint {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  /** What answers: shown in test output so a reader knows what was tested. */
  description: string;
}

export interface CephGateway extends S3Endpoint {
  dir: string;
  stop(): void;
}

const DIR_PREFIX = "givre-ceph-";

/** Storage classes added as placement targets, so policies can exercise them. */
export const EXTRA_STORAGE_CLASSES = ["STANDARD_IA", "GLACIER"];

const ACCESS_KEY = "givre-test-access";
const SECRET_KEY = "givre-test-secret";
const DAEMONS = ["mon.a", "osd.0", "client.rgw.a"];

/**
 * A throwaway single-node Ceph cluster with a RADOS Gateway on 127.0.0.1:
 * one monitor, one memstore OSD, radosgw; auth off, pool size 1. Comes up
 * in ~10 s. With auth off, the messenger must be in `crc` mode: the
 * daemons' default `secure` mode needs cephx and fails with -13.
 */
export async function startCephGateway(): Promise<CephGateway> {
  ensureDebianPackages(
    ["ceph-mon", "ceph-osd", "radosgw", "ceph-common"],
    ["ceph-mon", "ceph-osd", "radosgw"],
  );
  reapOrphans(DIR_PREFIX, stopDaemons);
  const dir = mkdtempSync(join(servicesTmpdir(), DIR_PREFIX));
  claimServiceDir(dir);
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const conf = join(dir, "ceph.conf");
  const ceph = (program: string, ...args: string[]) =>
    execFileSync(program, ["-c", conf, ...args], {
      cwd: dir,
      stdio: "pipe",
      timeout: 120_000,
    }).toString();
  const gateway: CephGateway = {
    endpoint: `http://127.0.0.1:${rgwPort}`,
    region: "us-east-1",
    accessKey: ACCESS_KEY,
    secretKey: SECRET_KEY,
    description: `local Ceph RADOS Gateway ${cephVersion()} at http://127.0.0.1:${rgwPort}`,
    dir,
    stop: () => {
      stopDaemons(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    writeFileSync(conf, cephConf(dir, monPort, rgwPort));
    for (const sub of ["run", "log", "mon", "osd", "rgw"]) mkdirSync(join(dir, sub));
    const fsid = /fsid = (.*)/.exec(readFileSync(conf, "utf8"))![1]!;
    execFileSync(
      "monmaptool",
      ["--create", "--addv", "a", `[v2:127.0.0.1:${monPort}]`, "--fsid", fsid, join(dir, "monmap")],
      { stdio: "pipe" },
    );
    ceph("ceph-mon", "--mkfs", "-i", "a", "--monmap", join(dir, "monmap"));
    ceph("ceph-mon", "-i", "a");
    ceph("ceph", "osd", "create");
    ceph("ceph-osd", "-i", "0", "--mkfs");
    ceph("ceph-osd", "-i", "0");
    createPools(ceph);
    await startRadosgw(ceph, gateway.endpoint);
    ceph(
      "radosgw-admin",
      "user",
      "create",
      "--uid=givre",
      "--display-name=givre",
      `--access-key=${ACCESS_KEY}`,
      `--secret-key=${SECRET_KEY}`,
    );
    for (const storageClass of EXTRA_STORAGE_CLASSES) addStorageClass(ceph, storageClass);
    // Placement changes take effect only after a gateway restart. A clean
    // stop matters: a killed gateway leaves watches that stall the next
    // one's first bucket creation until they time out.
    await stopGracefully(dir, "client.rgw.a");
    await startRadosgw(ceph, gateway.endpoint);
    return gateway;
  } catch (error) {
    stopDaemons(dir);
    throw new Error(
      `the local Ceph gateway did not start (logs in ${dir}/log): ${(error as Error).message}`,
    );
  }
}

async function startRadosgw(
  ceph: (program: string, ...args: string[]) => string,
  endpoint: string,
) {
  ceph("radosgw", "-n", "client.rgw.a");
  await waitFor(`radosgw at ${endpoint}`, () => httpAnswers(endpoint), 90_000);
}

/**
 * The gateway creates its data pools on first use, and a new pool takes
 * ~20 s to peer; made here, they peer while the gateway starts.
 */
function createPools(ceph: (program: string, ...args: string[]) => string): void {
  const pools = [
    "buckets.index",
    "buckets.data",
    "buckets.non-ec",
    ...EXTRA_STORAGE_CLASSES.map(poolSuffix),
  ];
  for (const pool of pools) {
    ceph("ceph", "osd", "pool", "create", `default.rgw.${pool}`, "8");
    ceph("ceph", "osd", "pool", "application", "enable", `default.rgw.${pool}`, "rgw");
  }
}

function poolSuffix(storageClass: string): string {
  return `${storageClass.toLowerCase().replace(/_/g, "-")}.data`;
}

function addStorageClass(
  ceph: (program: string, ...args: string[]) => string,
  storageClass: string,
): void {
  const pool = `default.rgw.${poolSuffix(storageClass)}`;
  const placement = ["--placement-id", "default-placement", "--storage-class", storageClass];
  ceph(
    "radosgw-admin",
    "zonegroup",
    "placement",
    "add",
    "--rgw-zonegroup",
    "default",
    ...placement,
  );
  ceph(
    "radosgw-admin",
    "zone",
    "placement",
    "add",
    "--rgw-zone",
    "default",
    ...placement,
    "--data-pool",
    pool,
  );
}

function stopDaemons(dir: string): void {
  for (const daemon of [...DAEMONS].reverse()) stopDaemon(dir, daemon);
}

function stopDaemon(dir: string, daemon: string): void {
  const pidFile = join(dir, "run", `${daemon}.pid`);
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, "utf8").trim());
  } catch {
    return;
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
  rmSync(pidFile, { force: true });
}

async function stopGracefully(dir: string, daemon: string): Promise<void> {
  const pid = Number(readFileSync(join(dir, "run", `${daemon}.pid`), "utf8").trim());
  process.kill(pid, "SIGTERM");
  await waitFor(`${daemon} to stop`, async () => !isAlive(pid), 30_000);
}

function cephVersion(): string {
  try {
    return /ceph version (\S+)/.exec(execFileSync("radosgw", ["--version"]).toString())?.[1] ?? "";
  } catch {
    return "";
  }
}

function cephConf(dir: string, monPort: number, rgwPort: number): string {
  const fsid = crypto.randomUUID();
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
mon initial members = a
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
ms mon service mode = crc
ms service mode = crc
ms cluster mode = crc
ms mon cluster mode = crc
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd client watch timeout = 5
paxos propose interval = 0.05
paxos min wait = 0.01
mon lease = 1
osd objectstore = memstore
memstore device bytes = ${32 * 1024 ** 3}
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
pid file = ${dir}/run/$name.pid
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
rgw thread pool size = 128
[mon.a]
mon data = ${dir}/mon
[osd.0]
osd data = ${dir}/osd
`;
}
