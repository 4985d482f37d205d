#!/usr/bin/env node
import { readFileSync } from 'node:fs';

// `probe --version` answers before commander and the CLI load: wrappers and package
// checks call it often, and start-up is most of its cost.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  // Node 20: TurboFan compiles less of a fleet run's code (src/core/tier-up.ts).
  (await import('../core/tier-up.js')).tuneTierUp();
  const { main } = await import('./program.js');
  process.exitCode = await main(process.argv);
}
