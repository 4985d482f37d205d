/** The one rule for skipping browser tests (test/fixtures/browser.ts). */
import { expect, it } from 'vitest';
import { browserTestsRun } from './fixtures/browser.js';

it.each([
  [true, undefined, true],
  [true, '', true],
  [false, undefined, false],
  [false, '', false],
  [false, 'true', true],
  [false, '1', true],
  [false, 'woodpecker', true],
])('Chromium present: %s, CI=%j → run: %s', (present, ci, run) => {
  expect(browserTestsRun(present, ci)).toBe(run);
});
