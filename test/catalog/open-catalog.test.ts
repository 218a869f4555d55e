import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { openCatalog, parseCatalogLocation } from "../../src/catalog/open-catalog.js";
import { createTestDatabase, postgresUnderTest } from "../support/postgres.js";

describe("openCatalog", () => {
  it("opens <state_dir>/catalog.db for catalog: sqlite", async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), "givre-open-")), "state");
    const catalog = await openCatalog({ catalog: "sqlite", stateDir, file: "/etc/givre.yaml" });
    expect(catalog.describe()).toBe(`sqlite ${stateDir}/catalog.db`);
    await catalog.close();
  });

  it("opens the PostgreSQL catalog a postgres:// or postgresql:// URL names", async () => {
    const database = await createTestDatabase("open");
    const server = new URL(postgresUnderTest());
    try {
      for (const url of [database.url, database.url.replace(/^postgres:/, "postgresql:")]) {
        const catalog = await openCatalog({ catalog: url, stateDir: "/nowhere", file: "x.yaml" });
        expect(catalog.describe()).toBe(`postgres postgres@${server.host}/${database.name}`);
        await catalog.close();
      }
    } finally {
      await database.drop();
    }
  });
});

describe("parseCatalogLocation", () => {
  it("takes sqlite:PATH (made absolute) and postgres URLs, and nothing else", () => {
    expect(parseCatalogLocation("sqlite:/var/lib/givre/catalog.db")).toEqual({
      kind: "sqlite",
      file: "/var/lib/givre/catalog.db",
    });
    expect(parseCatalogLocation("sqlite:old.db")).toEqual({
      kind: "sqlite",
      file: resolve("old.db"),
    });
    expect(parseCatalogLocation("postgresql://givre@db/givre")).toEqual({
      kind: "postgres",
      url: "postgresql://givre@db/givre",
    });
    for (const text of ["sqlite", "sqlite:", "/var/lib/givre/catalog.db", "mysql://db/givre"]) {
      expect(parseCatalogLocation(text)).toBeUndefined();
    }
  });
});
