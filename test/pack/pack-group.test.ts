import { describe, expect, it } from "vitest";
import { packGroupOf, packGroupProblem } from "../../src/pack/pack-group.js";

const radar = {
  path: "radar/reflectivity/2019/06/01/reflectivity_20190601_1205.png",
  dateMs: Date.UTC(2019, 5, 1, 12, 5),
};

describe("pack groups", () => {
  it("reads {dir}, path segments and the file's date", () => {
    expect(packGroupOf("{dir}", radar)).toBe("radar/reflectivity/2019/06/01");
    expect(packGroupOf("{1}/{yyyy}/{mm}", radar)).toBe("reflectivity/2019/06");
    expect(packGroupOf("{0}/{1}/{yyyy}-{mm}-{dd}T{hh}", radar)).toBe(
      "radar/reflectivity/2019-06-01T12",
    );
  });

  it("never yields empty, . or .. folders", () => {
    expect(packGroupOf("{7}/{dir}", { path: "a.png", dateMs: 0 })).toBe("_");
    expect(packGroupOf("x/{0}/y", { path: "../a.png", dateMs: 0 })).toBe("x/y");
  });

  it("names what is wrong with a template", () => {
    expect(packGroupProblem("{product}/{yyyy}")).toBe(
      "{product} is not a token; path parts go by position: " +
        "{0} is the first folder, {1} the second (the product in radar/<product>/...)",
    );
    expect(packGroupProblem("{dir")).toBe("a { or } is left unmatched");
    expect(packGroupProblem("")).toBe("the template is empty");
    expect(packGroupProblem("{1}/{yyyy}/{mm}/{dd}")).toBeUndefined();
  });
});
