/**
 * The config file: what a good one becomes, and one test per kind of mistake — each
 * message names the file, the path and the value.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../src/scheduled/config.js';
import { EXAMPLE_CONFIG } from '../src/scheduled/init.js';
import { UsageError } from '../src/core/options.js';
import { certSet } from './fixtures/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-config-'));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
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

const target = { name: 't', host: 'mx1.demo.test', port: 2525 };

describe('a good config', () => {
  it('reads YAML: defaults merged into targets, durations in ms, database next to the file', () => {
    const file = write(
      'good.yaml',
      `
database: data/h.db
queueLifetime: 48h
escalateBefore: [1h, 20h, 12h]
reminderEvery: 2h
confirm: { retries: 3, minDelay: 1s, maxDelay: 5s }
defaults:
  resolvers: ["127.0.0.1:5353"]
  timeoutMs: 1500
  schedule: "*/10 * * * * *"
targets:
  - name: onprem
    hosts: [mx1.demo.test, 127.0.0.2]
    port: "2525"
    tlsDomain: "*.demo.test"
  - host: smarthost.demo.test
    schedule: "0 * * * *"
    warnDays: 10
alerts:
  - type: webhook
    url: http://127.0.0.1:9/hook
    format: teams
  - type: email
    host: 127.0.0.1
    from: probe@demo.test
    to: admin@demo.test
`,
    );
    const config = loadConfig(file);
    expect(config.database).toBe(path.join(dir, 'data/h.db'));
    expect(config.queueLifetimeMs).toBe(48 * 3_600_000);
    expect(config.escalateBeforeMs).toEqual([20, 12, 1].map((h) => h * 3_600_000));
    expect(config.reminderEveryMs).toBe(2 * 3_600_000);
    expect(config.confirm).toEqual({ retries: 3, minDelayMs: 1000, maxDelayMs: 5000 });
    expect(config.targets).toEqual([
      {
        name: 'onprem',
        hosts: ['mx1.demo.test', '127.0.0.2'],
        schedule: '*/10 * * * * *',
        options: { resolvers: ['127.0.0.1:5353'], timeoutMs: 1500, port: 2525, tlsDomain: '*.demo.test' },
      },
      {
        name: 'smarthost.demo.test',
        hosts: ['smarthost.demo.test'],
        schedule: '0 * * * *',
        options: { resolvers: ['127.0.0.1:5353'], timeoutMs: 1500, warnDays: 10 },
      },
    ]);
    expect(config.alerts).toEqual([
      { type: 'webhook', name: 'webhook-1', url: 'http://127.0.0.1:9/hook', urlEnv: null, format: 'teams', timeoutMs: 15_000 },
      {
        type: 'email',
        name: 'email-2',
        host: '127.0.0.1',
        port: 587,
        tls: 'starttls',
        from: 'probe@demo.test',
        to: ['admin@demo.test'],
        user: null,
        passwordEnv: null,
        allowPlaintextAuth: false,
        ca: [],
        timeoutMs: 15_000,
      },
    ]);
  });

  it('reads JSON too, with the documented defaults', () => {
    const file = write('good.json', JSON.stringify({ targets: [target] }));
    const config = loadConfig(file);
    expect(config.queueLifetimeMs).toBe(24 * 3_600_000);
    expect(config.escalateBeforeMs).toEqual([20 * 3_600_000, 12 * 3_600_000, 3_600_000]);
    expect(config.reminderEveryMs).toBe(4 * 3_600_000);
    expect(config.confirm).toEqual({ retries: 2, minDelayMs: 10_000, maxDelayMs: 60_000 });
    expect(config.flapping).toEqual({ changes: 4, windowMs: 3_600_000 });
    expect(config.targets[0]!.schedule).toBe('*/5 * * * *');
    expect(config.database).toBe(path.join(dir, 'mailflow-probe.db'));
  });

  it('reads the CA file relative to the config, and takes the example probe init writes', () => {
    write('root.pem', certSet().root.cert);
    const config = loadConfig(write('ca.yaml', 'targets: [{ host: mx1.demo.test, caFile: root.pem }]'));
    expect(config.targets[0]!.options.ca).toEqual([certSet().root.cert.trim()]);
    const example = loadConfig(write('example.yaml', EXAMPLE_CONFIG));
    expect(example.targets.map((t) => t.name)).toEqual(['contoso-onprem', 'fabrikam-partner']);
    expect(example.alerts.map((a) => a.type)).toEqual(['email', 'webhook']);
  });

  it('takes the password from the environment variable the file names', () => {
    const doc = { targets: [target], alerts: [{ type: 'email', host: '127.0.0.1', from: 'a@demo.test', to: ['b@demo.test'], user: 'probe', passwordEnv: 'PROBE_PW' }] };
    const config = validateConfig(doc, 'c.yaml', { PROBE_PW: 'secret' });
    expect(config.alerts[0]).toMatchObject({ user: 'probe', passwordEnv: 'PROBE_PW' });
    expect(JSON.stringify(config)).not.toContain('secret');
    // probe history sends nothing, so it does not need the variable (env null).
    expect(validateConfig(doc, 'c.yaml', null).alerts[0]).toMatchObject({ passwordEnv: 'PROBE_PW' });
    expect(() => validateConfig(doc, 'c.yaml', {})).toThrow('c.yaml: alerts[0].passwordEnv: environment variable "PROBE_PW" is not set');
  });
});

describe('every kind of mistake names the file, the path and the value', () => {
  const cases: [string, unknown, string][] = [
    ['an unknown key', { targets: [target], queueLifetme: '24h' }, 'c.yaml: queueLifetme: unknown setting "queueLifetme"'],
    ['an unknown key in a target', { targets: [{ ...target, tls_mode: 'x' }] }, 'c.yaml: targets[0].tls_mode: unknown setting "tls_mode"'],
    ['no targets', { database: 'x.db' }, 'c.yaml: targets: missing'],
    ['an empty target list', { targets: [] }, 'c.yaml: targets: Too small'],
    ['a wrong type', { targets: [{ ...target, mx: 'yes' }] }, 'c.yaml: targets[0].mx: Invalid input: expected boolean, received string, got "yes"'],
    ['a target without a host', { targets: [{ name: 'x' }] }, 'c.yaml: targets[0].host: missing: name the smart host'],
    ['host and hosts both', { targets: [{ host: 'a.demo.test', hosts: ['b.demo.test'] }] }, 'c.yaml: targets[0]: give either host or hosts, not both'],
    ['a bad host', { targets: [{ hosts: ['ok.demo.test', 'bad_host.demo.test'] }] }, 'c.yaml: targets[0].hosts[1]: invalid target "bad_host.demo.test"'],
    ['a bad port', { targets: [{ ...target, port: '2525x' }] }, 'c.yaml: targets[0].port: invalid port "2525x": must be a whole number from 1 to 65535'],
    ['a bad resolver', { defaults: { resolvers: ['dns.demo.test'] }, targets: [target] }, 'c.yaml: defaults.resolvers[0]: invalid resolver "dns.demo.test"'],
    ['a bad TLS mode', { targets: [{ ...target, tlsMode: 'strict' }] }, 'c.yaml: targets[0].tlsMode: invalid TLS mode "strict": must be one of'],
    ['a bad TLS domain', { targets: [{ ...target, tlsDomain: 'mail.*.demo.test' }] }, 'c.yaml: targets[0].tlsDomain: invalid TLS domain "mail.*.demo.test"'],
    [
      'domain-validation without a TLS domain',
      { targets: [{ ...target, tlsMode: 'domain-validation' }] },
      'c.yaml: targets[0]: TLS mode "domain-validation" needs a TLS domain',
    ],
    ['a bad timeout', { targets: [{ ...target, timeoutMs: 0 }] }, 'c.yaml: targets[0].timeoutMs: invalid timeout (ms) "0"'],
    ['a bad schedule', { targets: [{ ...target, schedule: '*/5 * * *' }] }, 'c.yaml: targets[0].schedule: invalid schedule "*/5 * * *"'],
    ['a bad duration', { targets: [target], queueLifetime: '24' }, 'c.yaml: queueLifetime: invalid queue lifetime "24": write a duration such as'],
    ['an escalation beyond the lifetime', { targets: [target], escalateBefore: ['30h'] }, 'c.yaml: escalateBefore[0]: "30h" must be between zero and the queue lifetime (24h)'],
    ['a bad retry count', { targets: [target], confirm: { retries: 'many' } }, 'c.yaml: confirm.retries: invalid retries "many"'],
    ['a duplicate target name', { targets: [target, target] }, 'c.yaml: targets[1].name: duplicate target name "t"'],
    ['an unknown alert type', { targets: [target], alerts: [{ type: 'pager' }] }, 'c.yaml: alerts[0].type: Invalid discriminator value. Expected \'email\' | \'webhook\', got "pager"'],
    ['a bad webhook URL', { targets: [target], alerts: [{ type: 'webhook', url: 'ftp://x.demo.test/' }] }, 'c.yaml: alerts[0].url: invalid URL "ftp://x.demo.test/": must be http: or https:'],
    ['a bad webhook format', { targets: [target], alerts: [{ type: 'webhook', url: 'http://127.0.0.1/', format: 'discord' }] }, 'c.yaml: alerts[0].format: Invalid option'],
    ['a bad recipient', { targets: [target], alerts: [{ type: 'email', host: '127.0.0.1', from: 'a@demo.test', to: ['admins'] }] }, 'c.yaml: alerts[0].to[0]: invalid email address "admins"'],
    [
      'a password in the file',
      { targets: [target], alerts: [{ type: 'email', host: '127.0.0.1', from: 'a@demo.test', to: 'b@demo.test', user: 'u', password: 'hunter2' }] },
      'c.yaml: alerts[0].password: a password is never read from the config file',
    ],
    [
      'a password variable that is not set',
      { targets: [target], alerts: [{ type: 'email', host: '127.0.0.1', from: 'a@demo.test', to: 'b@demo.test', user: 'u', passwordEnv: 'NOT_SET_ANYWHERE' }] },
      'c.yaml: alerts[0].passwordEnv: environment variable "NOT_SET_ANYWHERE" is not set',
    ],
  ];
  it.each(cases)('%s', (_, doc, message) => {
    expect(errorOf(() => validateConfig(doc, 'c.yaml', {}))).toContain(message);
  });

  it('a password is never echoed back', () => {
    const doc = { targets: [target], alerts: [{ type: 'email', host: '127.0.0.1', from: 'a@demo.test', to: 'b@demo.test', password: 'hunter2' }] };
    expect(errorOf(() => validateConfig(doc, 'c.yaml', {}))).not.toContain('hunter2');
  });

  it('a file that is not YAML names the line', () => {
    const file = write('broken.yaml', 'targets:\n  - host: a.demo.test\n   port: [\n');
    expect(errorOf(() => loadConfig(file))).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: not valid YAML or JSON`));
  });

  it('a missing file, and a CA file that is not there', () => {
    expect(errorOf(() => loadConfig(path.join(dir, 'nope.yaml')))).toBe(`cannot read config file "${path.join(dir, 'nope.yaml')}": ENOENT`);
    const file = write('noca.yaml', 'targets: [{ host: a.demo.test, caFile: [missing.pem] }]');
    expect(errorOf(() => loadConfig(file))).toBe(`${file}: targets[0].caFile[0]: cannot read CA file "missing.pem": ENOENT`);
  });
});
