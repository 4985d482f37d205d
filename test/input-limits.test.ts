/**
 * Hostile input files (issue 16): every file the tool reads has a size limit checked
 * before it is parsed, every list a count limit, every duration a range, and a bad file
 * is one line and exit 3 — never an "internal error" and never a heap exhaustion.
 */
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../src/scheduled/config.js';
import { parseConnectors, readConnectors } from '../src/verify/connectors.js';
import { parseDuration } from '../src/core/duration.js';
import { INPUT_LIMITS } from '../src/core/input-limits.js';
import { UsageError } from '../src/core/options.js';
import { redactUrls } from '../src/report/redact.js';
import { readToken } from '../src/exporter/cli.js';
import { loadTargetsFile } from '../src/fleet/targets.js';

const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-limits-'));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A file of `bytes` zero bytes that takes no disk (a sparse file). */
function sparse(name: string, bytes: number): string {
  const file = path.join(dir, name);
  const fd = openSync(file, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return file;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [bin, ...args], { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: (err as { code?: number } | null)?.code ?? 0, stdout, stderr }),
    ),
  );
}

const target = { name: 't', host: 'mx1.demo.test', port: 2525 };
const relay = { type: 'email', host: '127.0.0.1', from: 'a@demo.test', to: 'b@demo.test' };

describe('size limits, checked before parsing', () => {
  it('a config file over 1 MiB is refused before it is read, naming the limit', () => {
    const file = sparse('huge.yaml', 50 * 1024 * 1024);
    const started = performance.now();
    expect(errorOf(() => loadConfig(file))).toBe(`config file "${file}" is larger than 1 MiB (52428800 bytes)`);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('a config of exactly the limit is read (and judged by its content)', () => {
    const file = write('edge.yaml', `targets: [{ host: mx1.demo.test }]\n#${'x'.repeat(INPUT_LIMITS.configBytes - 38)}\n`);
    expect(loadConfig(file, null).targets.map((t) => t.hosts)).toEqual([['mx1.demo.test']]);
  });

  it('a targets file over 4 MiB is refused, naming the limit', () => {
    const file = sparse('huge.txt', 20 * 1024 * 1024);
    expect(errorOf(() => loadTargetsFile(file))).toBe(`targets file "${file}" is larger than 4 MiB (20971520 bytes)`);
  });

  it('a connectors export over 16 MiB is refused, naming the limit', () => {
    const file = sparse('huge.json', 64 * 1024 * 1024);
    expect(errorOf(() => readConnectors(file))).toBe(`connectors file "${file}" is larger than 16 MiB (67108864 bytes)`);
  });
});

it('a token file over 64 KiB is refused, naming the limit', () => {
  const file = sparse('token', 1024 * 1024);
  expect(errorOf(() => readToken(file, {}, () => {}))).toBe(`token file "${file}" is larger than 64 KiB (1048576 bytes)`);
});

describe('count limits', () => {
  it(`a connector with more than ${INPUT_LIMITS.hostsPerTarget} smart hosts is refused before they are parsed`, () => {
    const hosts = Array.from({ length: 100_000 }, (_, i) => `mx${i}.demo.test`);
    const started = performance.now();
    expect(errorOf(() => parseConnectors(JSON.stringify([{ Name: 'big', SmartHosts: hosts }]), 'c.json'))).toBe(
      'invalid connectors file "c.json": connector "big" (#1): SmartHosts: 100000 smart hosts, more than the limit of 1000',
    );
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it(`more than ${INPUT_LIMITS.targets} connectors in an export are refused`, () => {
    const list = Array.from({ length: INPUT_LIMITS.targets + 1 }, (_, i) => ({ Name: `c${i}`, SmartHosts: ['mx1.demo.test'] }));
    expect(errorOf(() => parseConnectors(JSON.stringify(list), 'c.json'))).toBe('invalid connectors file "c.json": 10001 connectors, more than the limit of 10000');
  });

  it('more targets in a config than the limit, and more hosts in one target', () => {
    const many = Array.from({ length: INPUT_LIMITS.targets + 1 }, (_, i) => ({ name: `t${i}`, host: 'mx1.demo.test' }));
    expect(errorOf(() => validateConfig({ targets: many }, 'c.yaml', {}))).toBe('c.yaml: targets: 10001 targets, more than the limit of 10000');
    const hosts = Array.from({ length: INPUT_LIMITS.hostsPerTarget + 1 }, (_, i) => `mx${i}.demo.test`);
    expect(errorOf(() => validateConfig({ targets: [{ hosts }] }, 'c.yaml', {}))).toBe('c.yaml: targets[0].hosts: 1001 hosts, more than the limit of 1000');
  });

  it('more hosts on one line of a targets file than the limit, counted before any is parsed', () => {
    const file = write('wide.txt', `# one connector\nmx0.demo.test\n${Array.from({ length: 100_000 }, (_, i) => `mx${i}.demo.test`).join(' ')} name=wide\n`);
    const started = performance.now();
    expect(errorOf(() => loadTargetsFile(file))).toBe(`${file}:3: 100000 hosts, more than the limit of 1000`);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('more targets in a targets file than the limit', () => {
    const file = write('many.txt', Array.from({ length: INPUT_LIMITS.targets + 1 }, (_, i) => `mx${i}.demo.test`).join('\n'));
    expect(errorOf(() => loadTargetsFile(file))).toBe(`${file}: 10001 targets, more than the limit of 10000`);
  });
});

describe('every value in its real range, up front', () => {
  it('a duration longer than the maximum is refused by parseDuration', () => {
    expect(() => parseDuration('99999999999999999999d', 'queue lifetime')).toThrow(
      new UsageError('invalid queue lifetime "99999999999999999999d": at most 3650d'),
    );
    expect(parseDuration('3650d')).toBe(3650 * 86_400_000);
    expect(() => parseDuration('2h', 'delay', 3_600_000)).toThrow(new UsageError('invalid delay "2h": at most 1h'));
  });

  it.each([
    ['queueLifetime', { queueLifetime: '99999999999999999999d' }, 'c.yaml: queueLifetime: invalid queue lifetime "99999999999999999999d": at most 30d'],
    ['reminderEvery', { reminderEvery: '400d' }, 'c.yaml: reminderEvery: invalid reminder interval "400d": at most 30d'],
    ['confirm.minDelay', { confirm: { minDelay: '2h' } }, 'c.yaml: confirm.minDelay: invalid delay "2h": at most 1h'],
    ['confirm.maxDelay below minDelay', { confirm: { minDelay: '30s', maxDelay: '10s' } }, 'c.yaml: confirm.maxDelay: "10s" is shorter than confirm.minDelay (30s)'],
    ['flapping.window', { flapping: { window: '40d' } }, 'c.yaml: flapping.window: invalid window "40d": at most 30d'],
    ['delivery.maxDelay', { delivery: { maxDelay: '2d' } }, 'c.yaml: delivery.maxDelay: invalid delay "2d": at most 1d'],
    ['delivery.minDelay zero', { delivery: { minDelay: '0s' } }, 'c.yaml: delivery.minDelay: must be longer than zero, got "0s"'],
    ['an alert timeout', { alerts: [{ ...relay, timeout: '1h' }] }, 'c.yaml: alerts[0].timeout: invalid timeout "1h": at most 10m'],
    ['an alert timeout of zero', { alerts: [{ ...relay, timeout: '0s' }] }, 'c.yaml: alerts[0].timeout: must be longer than zero, got "0s"'],
  ])('%s', (_, extra, message) => {
    expect(errorOf(() => validateConfig({ targets: [target], ...extra }, 'c.yaml', {}))).toBe(message);
  });

  it('the longest queue lifetime still gives representable dates', () => {
    const config = validateConfig({ targets: [target], queueLifetime: '30d' }, 'c.yaml', {});
    expect(new Date(Date.now() + config.queueLifetimeMs).toISOString()).toMatch(/^\d{4}-/);
  });
});

describe('YAML that attacks the parser', () => {
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const bomb = `${laughs.join('\n')}\ntargets: [{ host: mx1.demo.test }]\n`;

  it('a billion-laughs alias bomb is one line naming the file', () => {
    const file = write('bomb.yaml', bomb);
    expect(errorOf(() => loadConfig(file))).toBe(`${file}: not valid YAML or JSON: aliases expand too much (more than 100 times): refused as a resource exhaustion attack`);
  });

  it('through the CLI: exit 3, one line, no stack trace, nothing else', async () => {
    const file = write('bomb2.yaml', bomb);
    const r = await run(['check', '--config', file]);
    expect(r).toEqual({ code: 3, stdout: '', stderr: `probe: ${file}: not valid YAML or JSON: aliases expand too much (more than 100 times): refused as a resource exhaustion attack\n` });
  });

  it('a config that passed validation with a huge duration: exit 3 at once, not an internal error later', async () => {
    const file = write('forever.yaml', 'queueLifetime: "99999999999999999999d"\ntargets: [{ host: 127.0.0.1, port: 1 }]\n');
    const r = await run(['check', '--config', file]);
    expect(r).toEqual({ code: 3, stdout: '', stderr: `probe: ${file}: queueLifetime: invalid queue lifetime "99999999999999999999d": at most 30d\n` });
  });
});

describe('alert channel secrets', () => {
  it('a webhook URL with credentials is refused, and the password is not echoed', () => {
    const doc = { targets: [target], alerts: [{ type: 'webhook', url: 'https://user:hunter2@hooks.demo.test/x?token=s3cret' }] };
    const message = errorOf(() => validateConfig(doc, 'c.yaml', {}));
    expect(message).toBe(
      'c.yaml: alerts[0].url: "https://***:***@hooks.demo.test/x?***" holds credentials: put the whole URL in an environment variable and name it in urlEnv',
    );
    expect(message).not.toMatch(/hunter2|s3cret/);
  });

  it('urlEnv names the variable that holds the URL; it must be set, and a URL', () => {
    const doc = (urlEnv: string) => ({ targets: [target], alerts: [{ type: 'webhook', urlEnv }] });
    expect(validateConfig(doc('HOOK_URL'), 'c.yaml', { HOOK_URL: 'https://hooks.demo.test/services/T0/B0/secret' }).alerts[0]).toMatchObject({
      type: 'webhook',
      url: null,
      urlEnv: 'HOOK_URL',
    });
    expect(validateConfig(doc('HOOK_URL'), 'c.yaml', null).alerts[0]).toMatchObject({ urlEnv: 'HOOK_URL' });
    expect(errorOf(() => validateConfig(doc('HOOK_URL'), 'c.yaml', {}))).toBe('c.yaml: alerts[0].urlEnv: environment variable "HOOK_URL" is not set');
    expect(errorOf(() => validateConfig(doc('HOOK_URL'), 'c.yaml', { HOOK_URL: 'ftp://x.demo.test/secret' }))).toBe(
      'c.yaml: alerts[0].urlEnv: environment variable "HOOK_URL" does not hold an http: or https: URL',
    );
    expect(errorOf(() => validateConfig({ targets: [target], alerts: [{ type: 'webhook', url: 'https://a.demo.test/', urlEnv: 'X' }] }, 'c.yaml', {}))).toBe(
      'c.yaml: alerts[0]: give either url or urlEnv, not both',
    );
    expect(errorOf(() => validateConfig({ targets: [target], alerts: [{ type: 'webhook' }] }, 'c.yaml', {}))).toBe(
      'c.yaml: alerts[0].url: missing: give url, or urlEnv naming the environment variable that holds it',
    );
  });

  it('redactUrls hides credentials and query strings in any text, and nothing else', () => {
    expect(redactUrls('fetch failed for https://user:pw@hooks.demo.test/path?key=abc: ECONNREFUSED')).toBe(
      'fetch failed for https://***:***@hooks.demo.test/path?***: ECONNREFUSED',
    );
    expect(redactUrls('see http://hooks.demo.test/a/b and http://u@h.demo.test/')).toBe('see http://hooks.demo.test/a/b and http://***@h.demo.test/');
    expect(redactUrls('no url here: 550 5.7.1')).toBe('no url here: 550 5.7.1');
  });

  it('AUTH over a relay without TLS is refused unless the config says so', () => {
    const alert = { ...relay, tls: 'none', user: 'probe', passwordEnv: 'PW' };
    expect(errorOf(() => validateConfig({ targets: [target], alerts: [alert] }, 'c.yaml', { PW: 'x' }))).toBe(
      'c.yaml: alerts[0].tls: "none" with a user would send the password in clear text: use starttls or implicit, or set allowPlaintextAuth: true',
    );
    const config = validateConfig({ targets: [target], alerts: [{ ...alert, allowPlaintextAuth: true }] }, 'c.yaml', { PW: 'x' });
    expect(config.alerts[0]).toMatchObject({ tls: 'none', user: 'probe' });
    // Without a user, no password goes anywhere: tls none alone is allowed.
    expect(validateConfig({ targets: [target], alerts: [{ ...relay, tls: 'none' }] }, 'c.yaml', {}).alerts[0]).toMatchObject({ tls: 'none', user: null });
  });
});
