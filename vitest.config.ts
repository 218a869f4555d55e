import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/services.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Two cores: two suites at a time keeps the Ceph gateway responsive.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
