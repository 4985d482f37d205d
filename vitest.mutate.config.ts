import { defineConfig } from 'vitest/config';

/**
 * The test run Stryker uses (stryker.config.mjs): only the test files of the modules being
 * mutated, named in MUTATE_TEST_FILES. They are chosen here, not with Stryker's own
 * `testFiles`, because with `testFiles` Stryker 9.6 activates a static mutant (a
 * module-level table) after the module was loaded, and reports it as survived
 * (stryker-js#6144). MUTATE_SKIP_TESTS names tests (a regular expression over
 * "describe test") left out: those that run the built CLI, which Stryker's copy of the
 * project does not have (dist/ is not copied) and which would not run the mutant anyway.
 */
const skip = process.env.MUTATE_SKIP_TESTS;
export default defineConfig({
  test: {
    include: (process.env.MUTATE_TEST_FILES ?? '').split(',').filter(Boolean),
    ...(skip ? { testNamePattern: new RegExp(`^(?!.*(?:${skip}))`) } : {}),
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
