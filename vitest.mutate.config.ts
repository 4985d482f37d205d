import { defineConfig } from 'vitest/config';

/**
 * The test run Stryker uses (stryker.config.mjs): only the test files of the modules being
 * mutated, named in MUTATE_TEST_FILES. They are chosen here, not with Stryker's own
 * `testFiles`, because with `testFiles` Stryker 9.6 activates a static mutant (a
 * module-level table) after the module was loaded, and reports it as survived
 * (stryker-js#6144).
 */
export default defineConfig({
  test: {
    include: (process.env.MUTATE_TEST_FILES ?? '').split(',').filter(Boolean),
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
