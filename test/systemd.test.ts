/**
 * The systemd units in contrib/systemd: hardened as documented, accepted by
 * `systemd-analyze verify` (which rejects unknown keys, bad values and missing
 * executables), and their ExecStart lines name real commands and options. In CI the
 * verification must run (.ci/run installs systemd when missing); elsewhere it is skipped
 * only when systemd-analyze is absent.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
const verifying = ANALYZE || process.env.CI ? it : it.skip;
const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
const UNITS = ['mailflow-probe-watch.service', 'mailflow-probe-serve.service'] as const;

function unitPath(name: string): string {
  return fileURLToPath(new URL(`../contrib/systemd/${name}`, import.meta.url));
}

/** `[Section] Key=value` lines; a key given twice keeps every value, in order. */
function parseUnit(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      continue;
    }
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!m) throw new Error(`not a unit line: ${line}`);
    (out[`${section}.${m[1]}`] ??= []).push(m[2]!);
  }
  return out;
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 60_000, env: { ...process.env, SYSTEMD_LOG_COLOR: '0', NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe.each(UNITS)('%s', (name) => {
  const unit = parseUnit(readFileSync(unitPath(name), 'utf8'));

  it('is hardened: a transient user, read-only system, private /tmp, no privileges, no capabilities, IP and Unix sockets only, a state directory', () => {
    expect(unit).toMatchObject({
      'Service.DynamicUser': ['yes'],
      'Service.User': ['mailflow-probe'],
      'Service.ProtectSystem': ['strict'],
      'Service.ProtectHome': ['yes'],
      'Service.PrivateTmp': ['yes'],
      'Service.NoNewPrivileges': ['yes'],
      'Service.CapabilityBoundingSet': [''],
      'Service.RestrictAddressFamilies': ['AF_INET AF_INET6 AF_UNIX'],
      'Service.StateDirectory': ['mailflow-probe'],
      'Service.ConfigurationDirectory': ['mailflow-probe'],
      'Install.WantedBy': ['multi-user.target'],
    });
    expect(unit['Service.MemoryDenyWriteExecute']).toBeUndefined();
  });

  it('starts a real command with options it has', async () => {
    const [exec] = unit['Service.ExecStart']!;
    const words = exec!.split(/\s+/);
    expect(words.slice(0, 2)).toEqual(['/usr/bin/env', 'probe']);
    const command = words[2]!;
    expect(command).toBe(name.includes('watch') ? 'watch' : 'serve');
    const help = await run(process.execPath, [bin, command, '--help']);
    expect(help.code).toBe(0);
    for (const option of words.slice(3).filter((w) => w.startsWith('--'))) expect(help.stdout, option).toContain(option);
  });

  verifying('passes systemd-analyze verify', async () => {
    expect(ANALYZE, 'systemd-analyze must be installed in CI (.ci/run installs systemd)').toBeDefined();
    const r = await run(ANALYZE!, ['verify', unitPath(name)]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  });
});

describe('the verification can fail', () => {
  // verify exits 0 on a bad value but says so on stderr (hence stderr must be empty
  // above), and exits non-zero for a missing executable.
  verifying('systemd-analyze verify reports a misspelt value, and a missing executable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfp-systemd-'));
    const text = readFileSync(unitPath(UNITS[0]), 'utf8');
    const misspelt = join(dir, 'mailflow-probe-misspelt.service');
    writeFileSync(misspelt, text.replace('ProtectSystem=strict', 'ProtectSystem=strcit'));
    expect((await run(ANALYZE!, ['verify', misspelt])).stderr).toMatch(/Failed to parse protect system value, ignoring: strcit/);
    const missing = join(dir, 'mailflow-probe-missing.service');
    writeFileSync(missing, text.replace('ExecStart=/usr/bin/env probe', 'ExecStart=/nonexistent/probe'));
    const r = await run(ANALYZE!, ['verify', missing]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\/nonexistent\/probe/);
  });
});
