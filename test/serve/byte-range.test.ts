import { describe, expect, it } from "vitest";
import { parseRange } from "../../src/serve/byte-range.js";
import { isNotModified, rangeStillValid, validatorsOf } from "../../src/serve/validators.js";
import { archivedEntry } from "../support/serve-harness.js";

describe("parseRange on a 100-byte file", () => {
  it.each([
    ["bytes=0-9", { kind: "part", start: 0, end: 9 }],
    ["bytes=90-", { kind: "part", start: 90, end: 99 }],
    ["bytes=90-500", { kind: "part", start: 90, end: 99 }],
    ["bytes=-10", { kind: "part", start: 90, end: 99 }],
    ["bytes=-500", { kind: "part", start: 0, end: 99 }],
    ["bytes=100-", { kind: "unsatisfiable" }],
    ["bytes=100-200", { kind: "unsatisfiable" }],
    ["bytes=-0", { kind: "unsatisfiable" }],
    ["bytes=9-0", { kind: "whole" }],
    ["bytes=0-1,5-6", { kind: "whole" }],
    ["items=0-9", { kind: "whole" }],
    ["bytes=-", { kind: "whole" }],
  ])("reads %s as %o", (header, expected) => {
    expect(parseRange(header, 100)).toEqual(expected);
  });

  it("finds nothing satisfiable in an empty file", () => {
    expect(parseRange("bytes=0-", 0)).toEqual({ kind: "unsatisfiable" });
  });
});

describe("validators of an archived file", () => {
  const entry = archivedEntry("b", { size: 255, mtimeMs: Date.UTC(2019, 5, 1, 12, 0, 0, 900) });
  const validators = validatorsOf(entry);

  it("has NGINX's ETag form and the original mtime in whole seconds", () => {
    expect(validators).toEqual({
      etag: '"5cf268c0-ff"',
      lastModified: "Sat, 01 Jun 2019 12:00:00 GMT",
      lastModifiedMs: Date.UTC(2019, 5, 1, 12),
    });
  });

  it("is not modified for a matching tag (weak too), or a date not older", () => {
    expect(isNotModified({ "if-none-match": `W/${validators.etag}` }, validators)).toBe(true);
    expect(isNotModified({ "if-none-match": "*" }, validators)).toBe(true);
    expect(isNotModified({ "if-none-match": '"other"' }, validators)).toBe(false);
    expect(isNotModified({ "if-modified-since": validators.lastModified }, validators)).toBe(true);
    expect(isNotModified({ "if-modified-since": "not a date" }, validators)).toBe(false);
  });

  it("lets If-None-Match decide over If-Modified-Since", () => {
    const headers = { "if-none-match": '"other"', "if-modified-since": validators.lastModified };

    expect(isNotModified(headers, validators)).toBe(false);
  });

  it("honours a range under If-Range only for this very version", () => {
    expect(rangeStillValid({ "if-range": validators.etag }, validators)).toBe(true);
    expect(rangeStillValid({ "if-range": `W/${validators.etag}` }, validators)).toBe(false);
    expect(rangeStillValid({ "if-range": validators.lastModified }, validators)).toBe(true);
    expect(rangeStillValid({ "if-range": "Sat, 01 Jun 2019 11:00:00 GMT" }, validators)).toBe(
      false,
    );
  });
});
