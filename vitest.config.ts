import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real loopback servers; keep the two cores from oversubscribing.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 20_000,
    // Many tests time real loopback dialogues on a shared two-core machine. A test that fails
    // once is run once more; one that then passes is named in the closing lines as flaky
    // (test/summary-reporter.ts), so a flake is seen, not hidden, and does not fail CI alone.
    retry: 1,
    hookTimeout: 20_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
