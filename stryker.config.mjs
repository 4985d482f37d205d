// @ts-check
/**
 * Mutation testing (issue 20): `npm run mutate` runs every module of the core against its
 * own tests; `MUTATE=classify npm run mutate` runs one module. Each module names the test
 * files that must kill its mutants by themselves (only those run), and per-test
 * coverage runs only the tests that reach a mutant: on a 2-core machine a full run of the
 * whole suite per mutant would take hours. The test files are handed to Vitest through
 * vitest.mutate.config.ts (see there why not through Stryker's `testFiles`).
 * Scores, times and equivalent mutants: docs/mutation.md.
 *
 * `skipTests` (a regular expression over "describe test") leaves out tests of those files that
 * run the built CLI (Stryker's copy of the project has no dist/, and the CLI would not run the
 * mutant anyway) or that take seconds each without reaching more of the module.
 *
 * @type {Record<string, { mutate: string[]; testFiles: string[]; skipTests?: string }>}
 */
const MODULES = {
  classify: { mutate: ['src/core/classify.ts'], testFiles: ['test/classify.test.ts'] },
  tcp: { mutate: ['probes/tcp.ts'], testFiles: ['test/tcp-stage.test.ts'] },
  smtp: {
    mutate: ['probes/smtp.ts'],
    testFiles: ['test/smtp-reader.test.ts', 'test/tcp-stage.test.ts'],
    // 2 s each, and what they reach is pinned by faster tests (QUIT's bound; the reader on a reset socket).
    skipTests: 'QUIT waits at most two seconds|on 300 connections in a row|probe\\(\\) names 4\\.4\\.318',
  },
  certificate: {
    mutate: ['probes/certificate.ts'],
    testFiles: ['test/certificate-names.test.ts', 'test/certificate-days.test.ts', 'test/certificate-deep.test.ts'],
    skipTests: 'the probe command|CRL of 4 000 entries|a CRL server that never answers|a CRL larger than the bound',
  },
  deadline: { mutate: ['probes/deadline.ts'], testFiles: ['test/deadline.test.ts'] },
  'exchange-text': { mutate: ['src/core/exchange-text.ts', 'src/core/diagnose.ts'], testFiles: ['test/exchange-text.test.ts', 'test/catalog.test.ts'] },
  countdown: { mutate: ['src/scheduled/countdown.ts'], testFiles: ['test/alert-state.test.ts'] },
  'alert-state': { mutate: ['src/scheduled/alert-state.ts'], testFiles: ['test/alert-state.test.ts'] },
  // Not test/option-schema.test.ts: it loads the whole CLI, ~6 s a mutant here (an hour for the module).
  options: { mutate: ['src/core/options.ts'], testFiles: ['test/options.test.ts'] },
  'option-schema': { mutate: ['src/core/option-schema.ts'], testFiles: ['test/option-schema-fast.test.ts'] },
  judge: { mutate: ['src/core/judge.ts'], testFiles: ['test/judge.test.ts'] },
  connectors: { mutate: ['src/verify/connectors.ts'], testFiles: ['test/connectors.test.ts'] },
  'address-policy': { mutate: ['src/exporter/address-policy.ts'], testFiles: ['test/address-policy.test.ts'] },
  explain: {
    mutate: ['src/explain/explain.ts'],
    // Not test/explain.test.ts: with it, ~40 min a run here (every test file loads the engine).
    testFiles: ['test/explain-parse.test.ts', 'test/explain-forms.test.ts'],
    skipTests: 'the CLI reads the paste|the CLI refuses unreadable text|are passed through',
  },
};

const chosen = process.env.MUTATE ? process.env.MUTATE.split(',') : Object.keys(MODULES);
for (const name of chosen) {
  if (!MODULES[name]) throw new Error(`MUTATE=${name}: no such module (one of ${Object.keys(MODULES).join(', ')})`);
}
const pick = (/** @type {'mutate' | 'testFiles'} */ key) => [...new Set(chosen.flatMap((name) => MODULES[name]?.[key] ?? []))];

// Read by vitest.mutate.config.ts in Stryker's test-runner processes, which inherit it.
process.env.MUTATE_TEST_FILES = pick('testFiles').join(',');
const skips = chosen.map((name) => MODULES[name]?.skipTests).filter(Boolean);
if (skips.length) process.env.MUTATE_SKIP_TESTS = skips.join('|');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  coverageAnalysis: 'perTest',
  // The TypeScript checker drops mutants that do not compile (a removed `case` under a
  // `never` default, …) but cost most of a run here (src/core/classify.ts: 13 min with it, on a
  // loaded 2-core machine): opt in with MUTATE_TYPECHECK=1. Without it such mutants run
  // and are mostly killed by the `never` guards and the tests.
  checkers: process.env.MUTATE_TYPECHECK === '1' ? ['typescript'] : [],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: pick('mutate'),
  // The machine is shared: one test process (and one checker) unless --concurrency says more.
  concurrency: 1,
  timeoutMS: 10_000,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  ignorePatterns: ['dist', 'reports', 'bench/results', 'test-results', '.scratch', '*.sqlite', '*.db'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
