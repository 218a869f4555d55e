import { afterEach, beforeEach, describe } from "vitest";
import type { Catalog } from "../../src/catalog/catalog.js";
import type { ContractContext } from "./contract/fixtures.js";
import { entriesContract } from "./contract/entries.js";
import { selectionContract } from "./contract/selection.js";
import { storeContract } from "./contract/store.js";
import { summaryAndRunsContract } from "./contract/summary-and-runs.js";
import { updatesContract } from "./contract/updates.js";

/** How the contract gets catalogs of one implementation. */
export interface CatalogFactory {
  /** A location (a file, a URL) where a fresh, empty catalog can be opened. */
  freshLocation(): Promise<string>;
  /** Opens (and migrates) the catalog at a location; called again for more instances. */
  open(location: string): Promise<Catalog>;
}

/**
 * The behaviour every Catalog implementation must show, as one vitest
 * suite. Each test gets a fresh, empty catalog; every instance a test
 * opens is closed after it.
 */
export function defineCatalogContract(name: string, factory: CatalogFactory): void {
  describe(`${name} catalog contract`, () => {
    let opened: Catalog[] = [];
    let current: { catalog: Catalog; location: string } | undefined;

    const open = async (location = context.location): Promise<Catalog> => {
      const catalog = await factory.open(location);
      opened.push(catalog);
      return catalog;
    };

    const context: ContractContext = {
      get catalog() {
        return current!.catalog;
      },
      get location() {
        return current!.location;
      },
      open,
      freshLocation: () => factory.freshLocation(),
    };

    beforeEach(async () => {
      const location = await factory.freshLocation();
      current = { location, catalog: await open(location) };
    });

    afterEach(async () => {
      const closing = opened;
      opened = [];
      current = undefined;
      await Promise.all(closing.map((catalog) => catalog.close()));
    });

    entriesContract(context);
    updatesContract(context);
    selectionContract(context);
    summaryAndRunsContract(context);
    storeContract(context);
  });
}
