#!/usr/bin/env node
'use strict';
// The `probe` command. `probe --version` answers here, in CommonJS, before any ES module
// loads: wrappers and package checks call it often, and Node's ES module loader costs
// ~20 ms of a ~150 ms start. Everything else is the compiled CLI (dist/src/cli/bin.js).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  // serve and watch: a smaller young generation (see young-generation.cjs), same process.
  const argv = require('./young-generation.cjs').youngGenerationArgv(args, {
    execve: process.execve,
    execPath: process.execPath,
    execArgv: process.execArgv,
    env: process.env,
    script: __filename,
  });
  if (argv) {
    try {
      process.execve(process.execPath, argv, process.env);
    } catch {
      // The exec failed (the binary moved, a seccomp filter …): run as we are.
    }
  }
  import('../dist/src/cli/bin.js').catch((err) => {
    process.stderr.write(`probe: cannot start: ${err && err.message}\n`);
    process.exitCode = 3;
  });
}
