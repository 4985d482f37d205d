/**
 * src/core/tier-up.ts: on Node 20 (V8 11) the `probe` command raises V8's interrupt budget
 * so that TurboFan compiles only what stays hot; on V8 12 and later (Node 22, 24), and
 * where the user set the budget, nothing changes.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INTERRUPT_BUDGET, tuneTierUp } from '../src/core/tier-up.js';

const runtime = (over: Partial<Parameters<typeof tuneTierUp>[0] & object> = {}) => {
  const set: string[] = [];
  return { set, runtime: { v8: '11.3.244.8-node.33', execArgv: [], nodeOptions: undefined, setFlags: (f: string) => void set.push(f), ...over } };
};

describe('tuneTierUp', () => {
  it("sets eight times V8 11's default budget on V8 11", () => {
    const { set, runtime: r } = runtime();
    expect(tuneTierUp(r)).toBe(true);
    expect(set).toEqual(['--interrupt-budget=540672']);
    expect(INTERRUPT_BUDGET).toBe(8 * 67_584);
  });

  it.each([
    ['V8 12 (Node 22)', { v8: '12.4.254.21-node.33' }],
    ['V8 13 (Node 24)', { v8: '13.6.233.17-node.37' }],
    ["the budget on node's command line", { execArgv: ['--interrupt-budget=100000'] }],
    ['the budget with underscores', { execArgv: ['--interrupt_budget=100000'] }],
    ['the budget in NODE_OPTIONS', { nodeOptions: '--max-old-space-size=512 --interrupt-budget=100000' }],
  ])('changes nothing with %s', (_, over) => {
    const { set, runtime: r } = runtime(over);
    expect(tuneTierUp(r)).toBe(false);
    expect(set).toEqual([]);
  });

  it('on this runtime, V8 takes the flag without a word (a misspelt flag prints an error)', async () => {
    const module = fileURLToPath(new URL('../dist/src/core/tier-up.js', import.meta.url));
    const script = `import(${JSON.stringify(module)}).then((m) => console.log(m.tuneTierUp()))`;
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(process.execPath, ['-e', script], { timeout: 15_000 }, (err, stdout, stderr) => (err ? reject(err) : resolve({ stdout, stderr }))),
    );
    expect(stderr).toBe('');
    expect(stdout.trim()).toBe(String(process.versions.v8.startsWith('11.')));
  });
});
