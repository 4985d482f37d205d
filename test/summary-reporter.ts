import { relative } from 'node:path';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Prints the closing lines CI reads, the same way whatever the runner's own summary looks
 * like: one `vitest: flaky <file> > <test> (passed on retry N; first try: <first line of its
 * error>)` line per test that passed only when run again, one `vitest: failed <file> > <test>: <first line of the error>` line
 * per failed test (CI keeps only the tail of a run's output, so both must be named there), then
 * `vitest: N passed, N failed, N skipped`.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[], unhandled: readonly SerializedError[]): void {
    let passed = 0;
    let skipped = 0;
    const failures: string[] = [];
    const flaky: string[] = [];
    for (const mod of modules) {
      const file = relative(process.cwd(), mod.moduleId);
      const tests = [...mod.children.allTests()];
      for (const test of tests) {
        const result = test.result();
        if (result.state === 'passed') {
          passed++;
          const diagnostic = test.diagnostic();
          // a passed test keeps the errors of the tries that failed: the first says why
          if (diagnostic?.flaky) flaky.push(`${file} > ${test.fullName} (passed on retry ${diagnostic.retryCount}; first try: ${firstLine(result.errors?.[0]?.message)})`);
        }
        else if (result.state === 'failed') {
          failures.push(`${file} > ${test.fullName}: ${firstLine(result.errors?.[0]?.message)}`);
        } else skipped++;
      }
      if (mod.state() === 'failed' && !tests.length) {
        failures.push(`${file}: ${firstLine(mod.errors()[0]?.message)}`);
      }
    }
    // An error no test caught fails the run (exit 1) with every test passed: name it too.
    for (const error of unhandled) failures.push(`unhandled error: ${firstLine(error.message)}`);
    const lines = [...flaky.map((f) => `vitest: flaky ${plain(f)}\n`), ...failures.map((f) => `vitest: failed ${plain(f)}\n`)].join('');
    process.stdout.write(`\n${lines}vitest: ${passed} passed, ${failures.length} failed, ${skipped} skipped\n`);
  }
}

/** The first line of an error, cut to 200 characters. */
function firstLine(message: string | undefined): string {
  return ((message ?? 'no error message').split('\n')[0] ?? '').slice(0, 200);
}

/** One line with no terminal control in it: a test's name and its error are data. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
