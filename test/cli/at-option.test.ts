import { describe, expect, it } from "vitest";
import { parseMoment } from "../../src/cli/at-option.js";

describe("--at", () => {
  it("reads dates and date-times, in UTC unless an offset is given", () => {
    expect(parseMoment("2019-07-31")).toBe(Date.UTC(2019, 6, 31));
    expect(parseMoment("2020-02-29")).toBe(Date.UTC(2020, 1, 29));
    expect(parseMoment("2019-07-31T12:00")).toBe(Date.UTC(2019, 6, 31, 12));
    expect(parseMoment("2019-07-31T12:00Z")).toBe(Date.UTC(2019, 6, 31, 12));
    expect(parseMoment("2019-07-31T12:00:30.5+02:00")).toBe(Date.UTC(2019, 6, 31, 10, 0, 30, 500));
  });

  it("refuses days that do not exist instead of rolling them over", () => {
    for (const value of [
      "2019-02-29",
      "2019-02-30",
      "2019-04-31",
      "2019-13-01",
      "2019-07-31T25:00Z",
      "yesterday",
    ]) {
      expect(() => parseMoment(value)).toThrow(
        "expected a date such as 2019-07-31 or 2019-07-31T12:00Z",
      );
    }
  });
});
