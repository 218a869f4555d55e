import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { GLOB_OPTIONS, SegmentGlob, globProblem } from "../../src/policy/glob.js";

/** The folder state of a path's folder, then the file test: as the walk does it. */
function segmentMatch(glob: SegmentGlob, path: string): boolean {
  const parts = path.split("/");
  const name = parts.pop()!;
  const state = parts.reduce((at, part) => glob.enter(at, part), glob.start);
  return glob.matchesFile(state, { dir: parts.join("/"), name });
}

const GLOBS = [
  "radar/**/*.png",
  "radar/**/latest*.png",
  "radar/**/*_0000.png",
  "radar/*/2019/**",
  "radar/**",
  "**/*.png",
  "**",
  "*.nc",
  "tiles/*/[0-5]/**",
  "tiles/*/1[0-8]/*/*.png",
  "archives/**/*.{nc,grib2,tar}",
  "{radar,tiles}/**/*.png",
  "{radar/hail,tiles/base}/**",
  "radar/**/2019/**/*.png",
  "a/**/**/b",
  "radar/.cache/*",
  "radar/**/+(hail|rain)_*.png",
  "radar/?ail/**",
  "radar/*",
  "radar/ab*ba",
  "radar/.*",
  "radar/*.",
];

const PATHS = [
  "radar/hail/2019/06/30/hail_20190630_0000.png",
  "radar/hail/2019/06/30/hail_20190630_1205.png",
  "radar/rain/2018/01/01/rain_20180101_0000.png",
  "radar/hail/latest.png",
  "radar/latest_x.png",
  "radar/a.png",
  "radar/.cache/x.png",
  "radar/hail/.tmp/x.png",
  "radar/hail/2019/.x.png",
  "radar/2019/x.png",
  ".hidden/x.png",
  "x.png",
  "a.nc",
  "archives/a.nc",
  "archives/2019/06/gfs.grib2",
  "archives/2019/06/gfs.txt",
  "tiles/base/3/1/2.png",
  "tiles/base/12/1/2.png",
  "tiles/base/12/1/2/x.png",
  "tiles/base/6/1/2.png",
  "a/b",
  "a/x/b",
  "a/x/y/b",
  "radar",
  "radar/aba",
  "radar/abba",
  "radar/abxba",
  "radar/.png",
  "radar/.",
  "radar/..",
  "radar/x.",
];

describe("segment globs", () => {
  it("match exactly what picomatch matches, path by path", () => {
    for (const glob of GLOBS) {
      const segments = new SegmentGlob(glob);
      const whole = picomatch(glob, GLOB_OPTIONS);
      for (const path of PATHS) {
        expect([glob, path, segmentMatch(segments, path)]).toEqual([glob, path, whole(path)]);
      }
    }
  });

  it("close folders no match can lie below", () => {
    const glob = new SegmentGlob("tiles/*/1[0-8]/**");
    const layer = glob.enter(glob.enter(glob.start, "tiles"), "base");
    expect(glob.enter(layer, "12")).not.toBe(0);
    expect(glob.enter(layer, "3")).toBe(0);
    expect(glob.enter(glob.start, "radar")).toBe(0);
  });

  it("tell whether a folder can hold matching files itself", () => {
    const glob = new SegmentGlob("radar/*/2019/*.png");
    const product = glob.enter(glob.enter(glob.start, "radar"), "hail");
    expect(glob.mayMatchFileIn(product)).toBe(false);
    expect(glob.mayMatchFileIn(glob.enter(product, "2019"))).toBe(true);
  });
});

describe("glob problems", () => {
  it("accept the globs of the example policies", () => {
    for (const glob of ["radar/**/*.png", "tiles/*/[0-5]/**", "archives/**/*.{nc,grib2,tar}"]) {
      expect(globProblem(glob)).toBeUndefined();
    }
  });

  it("say what is wrong with each kind of bad glob", () => {
    expect(globProblem("/srv/data/radar/*.png")).toBe(
      "a path relative to the root, without a leading /",
    );
    expect(globProblem("!radar/*.png")).toBe(
      "a glob without a leading ! (list it under exclude instead)",
    );
    expect(globProblem("radar/")).toBe("a glob of files, not a folder (such as radar/**)");
    expect(globProblem("radar//x.png")).toBe("a glob without empty path parts (//)");
    expect(globProblem("radar/../x.png")).toBe("a glob without . or .. path parts");
    expect(globProblem("radar/[abc/*.png")).toBe(
      "balanced brackets, braces and parentheses ([ is never closed)",
    );
    expect(globProblem("radar/{a,b/*.png")).toBe(
      "balanced brackets, braces and parentheses ({ is never closed)",
    );
    expect(globProblem("radar/a]/*.png")).toBe(
      "balanced brackets, braces and parentheses (] at column 8 closes nothing)",
    );
    expect(globProblem("radar/{a,b]/*.png")).toBe(
      "balanced brackets, braces and parentheses (] at column 11 closes nothing)",
    );
  });
});
