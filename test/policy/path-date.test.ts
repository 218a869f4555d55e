import { describe, expect, it } from "vitest";
import { compilePathDate, pathDateProblem } from "../../src/policy/path-date.js";

const RADAR = "radar/*/{yyyy}/{mm}/{dd}/";
const utc = (...parts: [number, number, number, number?]) =>
  Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3] ?? 0);

describe("path dates", () => {
  const radar = compilePathDate(RADAR);

  it("date a day folder by the end of that day, in UTC", () => {
    expect(radar.dateOf("radar/hail/2019/06/30/hail_20190630_1200.png")).toBe(utc(2019, 7, 1));
    expect(radar.dateOf("radar/hail/2019/06/01/deeper/x.png")).toBe(utc(2019, 6, 2));
  });

  it("roll month and year ends over", () => {
    expect(radar.dateOf("radar/a/2019/01/31/x.png")).toBe(utc(2019, 2, 1));
    expect(radar.dateOf("radar/a/2019/04/30/x.png")).toBe(utc(2019, 5, 1));
    expect(radar.dateOf("radar/a/2019/12/31/x.png")).toBe(utc(2020, 1, 1));
  });

  it("refuse days that months do not have", () => {
    expect(radar.dateOf("radar/a/2019/04/31/x.png")).toBe("2019-04-31 is not a date");
    expect(radar.dateOf("radar/a/2019/06/00/x.png")).toBe("2019-06-00 is not a date");
    expect(radar.dateOf("radar/a/2019/13/01/x.png")).toBe("2019-13-01 is not a date");
    expect(radar.dateOf("radar/a/2019/00/10/x.png")).toBe("2019-00-10 is not a date");
  });

  it("know leap days: every 4 years, not every 100, every 400", () => {
    expect(radar.dateOf("radar/a/2020/02/29/x.png")).toBe(utc(2020, 3, 1));
    expect(radar.dateOf("radar/a/2000/02/29/x.png")).toBe(utc(2000, 3, 1));
    expect(radar.dateOf("radar/a/2019/02/29/x.png")).toBe("2019-02-29 is not a date");
    expect(radar.dateOf("radar/a/1900/02/29/x.png")).toBe("1900-02-29 is not a date");
    expect(radar.dateOf("radar/a/2019/02/28/x.png")).toBe(utc(2019, 3, 1));
  });

  it("give no date to paths missing a part of the pattern", () => {
    const miss = `the path does not match ${RADAR}`;
    expect(radar.dateOf("radar/a/2019/06/x.png")).toBe(miss);
    expect(radar.dateOf("radar/a/latest.png")).toBe(miss);
    expect(radar.dateOf("radar/2019/06/30/x.png")).toBe(miss);
    expect(radar.dateOf("radar/a/2019/6/30/x.png")).toBe(miss);
    expect(radar.dateOf("radar/a/2019/06/30")).toBe(miss);
    expect(radar.dateOf("tiles/a/2019/06/30/x.png")).toBe(miss);
  });

  it("date a month, a year or an hour by the end of it", () => {
    expect(compilePathDate("archives/{yyyy}/{mm}/").dateOf("archives/2019/02/a.nc")).toBe(
      utc(2019, 3, 1),
    );
    expect(compilePathDate("archives/{yyyy}/").dateOf("archives/2019/a.nc")).toBe(utc(2020, 1, 1));
    const hourly = compilePathDate("obs/{yyyy}{mm}{dd}/{hh}/");
    expect(hourly.dateOf("obs/20190630/23/a.csv")).toBe(utc(2019, 7, 1));
    expect(hourly.dateOf("obs/20190630/05/a.csv")).toBe(utc(2019, 6, 30, 6));
    expect(hourly.dateOf("obs/20190630/24/a.csv")).toBe("2019-06-30 24h is not a date");
  });

  it("read dates out of file names with a whole-path pattern", () => {
    const names = compilePathDate("radar/*/*_{yyyy}{mm}{dd}_*.png");
    expect(names.dateOf("radar/hail/hail_20190630_1200.png")).toBe(utc(2019, 7, 1));
    expect(names.dateOf("radar/hail/sub/hail_20190630_1200.png")).toBe(
      "the path does not match radar/*/*_{yyyy}{mm}{dd}_*.png",
    );
  });

  it("find the date at any depth under **", () => {
    const anywhere = compilePathDate("**/{yyyy}/{mm}/{dd}/");
    expect(anywhere.dateOf("a/b/c/2019/06/30/x.png")).toBe(utc(2019, 7, 1));
    expect(anywhere.dateOf("2019/06/30/x.png")).toBe(utc(2019, 7, 1));
  });

  it("keep years below 100 as written", () => {
    expect(compilePathDate("{yyyy}/").dateOf("0099/x")).toBe(Date.parse("0100-01-01T00:00:00Z"));
  });

  it("date a file in a folder as its whole path does", () => {
    const paths = [
      ["radar/hail/2019/06/30", "x.png"],
      ["radar/hail/2019/02/29", "x.png"],
      ["radar/hail/2019/06", "x.png"],
      ["", "x.png"],
    ] as const;
    for (const [dir, name] of paths) {
      expect(radar.dateIn(dir, name)).toBe(radar.dateOf(dir === "" ? name : `${dir}/${name}`));
    }
  });
});

describe("path date patterns", () => {
  it("accept a year alone or with month, day and hour", () => {
    for (const pattern of [RADAR, "{yyyy}/", "a/{yyyy}-{mm}/", "x_{yyyy}{mm}{dd}{hh}*.png"]) {
      expect(pathDateProblem(pattern)).toBeUndefined();
    }
  });

  it("refuse patterns that cannot make a date, saying why", () => {
    expect(pathDateProblem("radar/*/{yyyy}/{dd}/")).toBe(
      "a pattern that makes a date: {dd} without {mm} is no date",
    );
    expect(pathDateProblem("radar/*/{mm}/{dd}/")).toBe(
      "a pattern that makes a date: {mm} without {yyyy} is no date",
    );
    expect(pathDateProblem("x/{yyyy}{mm}{dd}/{hh}{hh}/")).toBe("each date part once ({hh} twice)");
    expect(pathDateProblem("radar/*/{yy}/{mm}/")).toBe(
      "date parts {yyyy}, {mm}, {dd}, {hh} (not {yy})",
    );
    expect(pathDateProblem("radar/*/")).toBe("a pattern with at least {yyyy}");
    expect(pathDateProblem("radar/{yyyy/")).toBe("a pattern with balanced braces (stray {)");
    expect(pathDateProblem("/radar/{yyyy}/")).toBe(
      "a pattern relative to the root, without a leading /",
    );
  });
});
