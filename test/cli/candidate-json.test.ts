import { describe, expect, it } from "vitest";
import { CandidateJson, isoTime } from "../../src/cli/candidate-json.js";
import type { Policy } from "../../src/policy/policy.js";
import type { Candidate } from "../../src/scan/candidate.js";

const POLICY = {
  name: "radar",
  action: "archive",
  target: "archive",
  prefix: "data/",
  storageClass: "STANDARD_IA",
} as Policy;

function candidate(path: string, mtimeMs = Date.UTC(2019, 5, 30, 12, 5, 7, 89)): Candidate {
  return {
    root: "data",
    path,
    absolutePath: `/srv/data/${path}`,
    size: 20480,
    mtimeMs,
    mode: 0o644,
    policy: POLICY,
    dateMs: Date.UTC(2019, 6, 1),
  };
}

/** The same record through JSON.stringify: what scripts must get, byte for byte. */
function stringified(c: Candidate): string {
  return JSON.stringify({
    root: c.root,
    path: c.path,
    size: c.size,
    mtime: new Date(c.mtimeMs).toISOString(),
    mode: c.mode,
    policy: c.policy.name,
    action: c.policy.action,
    target: c.policy.target,
    storage_class: c.policy.storageClass,
    key: c.policy.prefix + c.path,
    dated: new Date(c.dateMs).toISOString(),
  });
}

describe("candidate JSON lines", () => {
  it("are exactly what JSON.stringify writes, whatever the path holds", () => {
    const json = new CandidateJson();
    const paths = [
      "radar/hail/2019/06/30/hail_20190630_1205.png",
      'odd/"quoted" name.png',
      "odd/back\\slash.png",
      "odd/tab\there.png",
      "odd/été ☂ 雨.png",
      "odd/emoji 🌧.png",
      "odd/lone \ud800 surrogate.png",
      "odd/line\u2028separator.png",
    ];
    for (const path of paths) {
      const c = candidate(path);
      expect(json.line(c)).toBe(stringified(c));
    }
  });

  it("write times as toISOString does, sub-millisecond parts and old dates included", () => {
    const times = [
      0,
      -1,
      Date.UTC(2019, 5, 30, 12, 5, 7, 89) + 0.999,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(1900, 1, 28),
      Date.UTC(2100, 2, 1),
      Date.parse("0001-01-01T00:00:00Z"),
      Date.parse("9999-12-31T23:59:59.999Z"),
      Date.parse("+010000-01-01T00:00:00Z"),
      -1e10 + 0.5,
    ];
    expect(times.map(isoTime)).toEqual(times.map((time) => new Date(time).toISOString()));
  });
});
