/**
 * What `npm pack` would publish (package.json "files"): the built code, the docs, the
 * contrib files, the LICENSE and any JSON schema — and no tests, no TypeScript sources,
 * no source maps. Runs on the built tree (npm test builds first).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
let files: string[];

function walk(dir: string): string[] {
  return readdirSync(new URL(`../${dir}`, import.meta.url), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`],
  );
}

beforeAll(async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    // --ignore-scripts: no "prepare" build here; the tree was built before the tests.
    execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, out) =>
      err ? reject(err) : resolve(out),
    );
  });
  const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
  files = pack!.files.map((f) => f.path).sort();
}, 150_000);

describe('npm pack', () => {
  it('contains the program, the docs, contrib, the LICENSE and the schemas', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/probe.cjs', 'dist/src/cli/bin.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/probes/stage.js']) {
      expect(files, f).toContain(f);
    }
    const docs = walk('docs');
    expect(docs).toContain('docs/monitoring.md');
    for (const f of [...docs, ...walk('contrib')]) expect(files, f).toContain(f);
    expect(files).toContain('contrib/grafana/mailflow-probe.json');
    expect(files).toContain('contrib/systemd/mailflow-probe-watch.service');
    const schemas = existsSync(new URL('../schemas', import.meta.url)) ? walk('schemas').filter((f) => f.endsWith('.json')) : [];
    for (const f of schemas) expect(files, f).toContain(f);
    // `probe demo` runs the loopback servers of src/loopback/: they ship as product code.
    expect(files).toContain('dist/src/loopback/index.js');
  });

  it('contains no tests, no TypeScript sources, no source maps, no benchmarks', () => {
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /\.test\.[cm]?[jt]s$/.test(f) || /\.test\.d\.ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('bench/') || f.startsWith('dist/bench/') || f.startsWith('src/') || f.startsWith('probes/'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/test/'))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(\.ci|\.git|node_modules)\//.test(f) || /\.(db|sqlite|pem|key)$/.test(f))).toEqual([]);
  });

  it('is MIT licensed, copyright the contributors', () => {
    const license = readFileSync(new URL('../LICENSE', import.meta.url), 'utf8');
    expect(license.split('\n').slice(0, 3)).toEqual(['MIT License', '', 'Copyright (c) 2026 mailflow-probe contributors']);
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
    expect((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { license: string }).license).toBe('MIT');
  });
});
