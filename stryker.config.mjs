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
  // The stage on a tls.connect socket (test/certificate-unit.test.ts, ECDSA chains, ~5 s a pass), not
  // test/certificate-deep.test.ts (whole probes, ~55 s a pass) nor certificate-days (RSA keys from node-forge).
  certificate: { mutate: ['probes/certificate.ts'], testFiles: ['test/certificate-unit.test.ts', 'test/certificate-names.test.ts'] },
  // Not test/pki-read.test.ts (PKI.js and Node as oracles): its node-forge keys take ~15 s a pass here.
  pki: { mutate: ['probes/lib/pki.ts'], testFiles: ['test/pki-der.test.ts'] },
  crl: { mutate: ['probes/lib/crl.ts'], testFiles: ['test/crl-read.test.ts'] },
  // Not test/revocation-cache.test.ts (probes of loopback servers, 200 handshakes in one test).
  'revocation-cache': { mutate: ['probes/revocation-cache.ts'], testFiles: ['test/revocation-cache-unit.test.ts'] },
  // Not test/certificate-deep.test.ts (TLS probes of loopback servers, ~55 s a pass).
  revocation: { mutate: ['probes/revocation.ts'], testFiles: ['test/revocation-unit.test.ts'] },
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
  // The wire part of probes/ (issue 20, mutwire20): fast tests against loopback servers.
  dns: { mutate: ['probes/dns.ts'], testFiles: ['test/dns-stage.test.ts'] },
  'dns-query': { mutate: ['probes/lib/dns-query.ts'], testFiles: ['test/dns-query.test.ts'] },
  // Only the bounded-cache test of session.test.ts: the rest runs real SMTP/TLS sessions that reach no more of it.
  caches: { mutate: ['probes/caches.ts'], testFiles: ['test/session.test.ts'], skipTests: "the session driver|verify's recipient test|the worker pool" },
  context: { mutate: ['probes/context.ts'], testFiles: ['test/context.test.ts'] },
  'tls-versions': { mutate: ['probes/tls-versions.ts'], testFiles: ['test/tls-versions.test.ts'] },
  tls: { mutate: ['probes/tls.ts'], testFiles: ['test/tls-stage.test.ts', 'test/tls-upgrade.test.ts'] },
  session: { mutate: ['probes/session.ts'], testFiles: ['test/session-steps.test.ts', 'test/session.test.ts'] },
  // test/options.test.ts: the --tls-mode choices message is the one reader of TLS_MODES' order.
  stage: { mutate: ['probes/stage.ts'], testFiles: ['test/stage.test.ts', 'test/options.test.ts'] },
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
