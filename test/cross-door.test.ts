/**
 * One product, one answer (issue 12): the same connector gets the same verdict, code and
 * warnings through every door — the probe() library, `probe --json`, fleet mode
 * (`probe --targets`), `probe check --config`, `probe serve`'s /probe, `probe verify
 * --json` and explain's re-check. Each scenario is a loopback host (its own 127.0.0.x,
 * one shared port) under one TLS mode; every door is asked about every scenario and the
 * answers are compared with one table, so a door that judges differently fails here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsMode } from '../probes/stage.js';
import { probe } from '../src/core/engine.js';
import { mapLimit } from '../src/core/pool.js';
import type { ProbeResult } from '../src/core/result.js';
import {
  banner421,
  certSet,
  issueLeaf,
  loopbackProbeOptions,
  noStarttls,
  resetAfterEhlo,
  smtpScript,
  startDns,
  startRaw,
  startSmtp,
  type DnsServer,
} from './fixtures/index.js';
import { sample } from './fixtures/prometheus.js';

const BIN = resolve('dist/src/cli/bin.js');
const DAY = 86_400_000;
const TIMING = { timeoutMs: 3000, deadlineMs: 10_000 };
/** What every door must agree on; serve's metrics carry no warnings, so `warnings` is null there. */
interface Answer {
  verdict: string;
  code: string | null;
  warnings: string[] | null;
}

interface Scenario {
  id: string;
  host: string;
  ip: string;
  mode: TlsMode;
  domain: string | null;
  server: 'healthy' | 'none' | '421' | 'no-starttls' | 'reset' | 'expired' | 'expiring' | 'plain';
  want: Answer;
}

const healthy = (warnings: string[] = []): Answer => ({ verdict: warnings.length ? 'degraded' : 'healthy', code: null, warnings });
const failing = (code: string): Answer => ({ verdict: 'failing', code, warnings: [] });

const SCENARIOS: Scenario[] = (
  [
    ['healthy-starttls', 'certificate-validation', null, 'healthy', healthy()],
    ['nxdomain', 'certificate-validation', null, 'none', failing('4.4.312')],
    ['refused', 'certificate-validation', null, 'none', failing('4.4.316')],
    ['banner-421', 'certificate-validation', null, '421', failing('4.4.317')],
    ['starttls-missing', 'encryption-only', null, 'no-starttls', failing('4.4.317')],
    ['reset', 'certificate-validation', null, 'reset', failing('4.4.318')],
    ['expired', 'certificate-validation', null, 'expired', failing('4.7.320')],
    // Exchange Online validates the certificate only under the two validating modes: an
    // expiring one is a warning there, and nothing under the others (it would deliver).
    ['expiring-opportunistic', 'opportunistic', null, 'expiring', healthy()],
    ['expiring-encryption-only', 'encryption-only', null, 'expiring', healthy()],
    ['expiring-certificate-validation', 'certificate-validation', null, 'expiring', healthy(['certificate-expiring'])],
    ['expiring-domain-validation', 'domain-validation', 'mx1.demo.test', 'expiring', healthy(['certificate-expiring'])],
    // Issue 14: plaintext under opportunistic TLS is the connector as configured: a note, not a warning.
    ['opportunistic-plain', 'opportunistic', null, 'plain', healthy()],
  ] as const
).map(([id, mode, domain, server, want], i) => ({
  id,
  host: id === 'nxdomain' ? 'gone.demo.test' : `${id}.demo.test`,
  ip: `127.0.0.${30 + i}`,
  mode,
  domain,
  server,
  want: { ...want },
}));

let dns: DnsServer;
let dir: string;
let caFile: string;
let port = 0;
const closers: Array<() => Promise<void>> = [];

/** Runs the built CLI; never throws. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function startServer(s: Scenario, expiring: ReturnType<typeof issueLeaf>): Promise<void> {
  const at = { host: s.ip, port };
  const big = 37_748_736; // Exchange Online's 36 MB: verify's SIZE item passes
  switch (s.server) {
    case 'none':
      return;
    case 'healthy':
    case 'expired':
    case 'expiring': {
      const tls = s.server === 'healthy' ? certSet().valid() : s.server === 'expired' ? certSet().expired : expiring;
      const server = await startSmtp({ ...at, tls, size: big });
      if (!port) port = server.port;
      closers.push(() => server.close());
      return;
    }
    default: {
      const handler = { '421': banner421, 'no-starttls': noStarttls, reset: resetAfterEhlo, plain: smtpScript({ ehlo: ['8BITMIME', 'SMTPUTF8', `SIZE ${big}`] }) }[s.server];
      const server = await startRaw(handler, at);
      closers.push(() => server.close());
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mfp-cross-door-'));
  caFile = join(dir, 'root.pem');
  writeFileSync(caFile, certSet().root.cert);
  const zone: Parameters<typeof startDns>[0] = { 'gone.demo.test': 'NXDOMAIN' };
  for (const s of SCENARIOS) if (s.id !== 'nxdomain') zone[s.host] = { A: [s.ip] };
  dns = await startDns(zone);
  const expiring = issueLeaf(certSet().intermediate, { dnsNames: ['mx1.demo.test'], notBefore: new Date(Date.now() - 80 * DAY), notAfter: new Date(Date.now() + 10 * DAY) });
  // The first server takes an ephemeral port; every other scenario listens on it too, at its own address.
  const first = SCENARIOS.find((s) => s.server === 'healthy') as Scenario;
  await startServer(first, expiring);
  for (const s of SCENARIOS) if (s !== first) await startServer(s, expiring);
}, 60_000);

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await dns?.close();
  rmSync(dir, { recursive: true, force: true });
});

const answer = (r: Pick<ProbeResult, 'verdict' | 'code' | 'warnings'>): Answer => ({ verdict: r.verdict, code: r.code, warnings: r.warnings.map((w) => w.kind) });

/** Every scenario's wanted answer, by id: the table each door must reproduce. */
const wanted = (warnings = true): Record<string, Answer> =>
  Object.fromEntries(SCENARIOS.map((s) => [s.id, warnings ? s.want : { ...s.want, warnings: null }]));

const modeFlags = (s: Scenario): string[] => ['--tls-mode', s.mode, ...(s.domain ? ['--tls-domain', s.domain] : [])];
const common = (): string[] => ['--port', String(port), '--resolver', dns.address, '--ca-file', caFile, '--ehlo-name', 'probe.demo.test', '--timeout', String(TIMING.timeoutMs), '--deadline', String(TIMING.deadlineMs)];

/** One targets-file line per scenario (fleet mode and serve read the same file). */
function targetsFile(): string {
  const file = join(dir, 'targets.txt');
  const line = (s: Scenario): string =>
    [s.host, `name=${s.id}`, `port=${port}`, `resolver=${dns.address}`, `tls-mode=${s.mode}`, ...(s.domain ? [`tls-domain=${s.domain}`] : []), `ca-file=${caFile}`, 'ehlo-name=probe.demo.test', `timeout=${TIMING.timeoutMs}`, `deadline=${TIMING.deadlineMs}`].join(' ');
  writeFileSync(file, `${SCENARIOS.map(line).join('\n')}\n`);
  return file;
}

/** The code label of probe_mailflow_code_info, `none` meaning no code. */
function codeOf(body: string): string | null {
  const code = /^probe_mailflow_code_info\{[^}]*code="([^"]*)"/m.exec(body)?.[1];
  return code === undefined || code === 'none' ? null : code;
}

describe('every door gives the same answer', () => {
  it('the probe() library', async () => {
    const got = await mapLimit(SCENARIOS, 4, async (s) => {
      const r = await probe(s.host, { ...loopbackProbeOptions(dns, port, TIMING), tlsMode: s.mode, ...(s.domain ? { tlsDomain: s.domain } : {}) });
      return [s.id, answer(r)] as const;
    });
    expect(Object.fromEntries(got)).toEqual(wanted());
  }, 60_000);

  it('probe --json', async () => {
    const got = await mapLimit(SCENARIOS, 3, async (s) => {
      const r = await cli([s.host, '--json', ...common(), ...modeFlags(s)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe({ healthy: 0, degraded: 1, failing: 2 }[s.want.verdict]);
      return [s.id, answer(JSON.parse(r.stdout) as ProbeResult)] as const;
    });
    expect(Object.fromEntries(got)).toEqual(wanted());
  }, 120_000);

  it('fleet mode: probe --targets FILE --json', async () => {
    const r = await cli(['--targets', targetsFile(), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as ProbeResult & { name: string });
    expect(Object.fromEntries(lines.map((l) => [l.name, answer(l)]))).toEqual(wanted());
  }, 120_000);

  it('probe check --config (one pass)', async () => {
    const config = join(dir, 'check.json');
    writeFileSync(
      config,
      JSON.stringify({
        database: join(dir, 'check.db'),
        confirm: { retries: 0, minDelay: '0s' },
        defaults: { resolvers: [dns.address], caFile, ehloName: 'probe.demo.test', port, timeoutMs: TIMING.timeoutMs, deadlineMs: TIMING.deadlineMs },
        targets: SCENARIOS.map((s) => ({ name: s.id, host: s.host, tlsMode: s.mode, ...(s.domain ? { tlsDomain: s.domain } : {}) })),
      }),
    );
    const r = await cli(['check', '--config', config, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { targets: Array<{ name: string; verdict: string; result: ProbeResult }> };
    for (const t of out.targets) expect(t.verdict).toBe(t.result.verdict);
    expect(Object.fromEntries(out.targets.map((t) => [t.name, answer(t.result)]))).toEqual(wanted());
  }, 120_000);

  it('probe serve: /probe?target=NAME', async () => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--targets', targetsFile(), '--listen', '127.0.0.1:0'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await expect.poll(() => stderr, { timeout: 20_000 }).toMatch(/serving \d+ targets on http:\/\/127\.0\.0\.1:\d+/);
      const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      const got = await mapLimit(SCENARIOS, 4, async (s) => {
        const body = await (await fetch(`${url}/probe?target=${s.id}`)).text();
        const verdict = sample(body, 'probe_success') === 0 ? 'failing' : sample(body, 'probe_degraded') === 1 ? 'degraded' : 'healthy';
        return [s.id, { verdict, code: codeOf(body), warnings: null }] as const;
      });
      expect(Object.fromEntries(got)).toEqual(wanted(false));
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);

  it('probe verify --json: the connector verdict, the code, and the checklist items that carry the warnings', async () => {
    const setting: Record<TlsMode, string | null> = {
      opportunistic: null,
      'encryption-only': 'EncryptionOnly',
      'certificate-validation': 'CertificateValidation',
      'domain-validation': 'DomainValidation',
    };
    const connectors = join(dir, 'connectors.json');
    writeFileSync(
      connectors,
      JSON.stringify(
        SCENARIOS.map((s) => ({ Name: s.id, Identity: s.id, Enabled: true, ConnectorType: 'Partner', UseMXRecord: false, SmartHosts: [s.host], TlsSettings: setting[s.mode], TlsDomain: s.domain })),
      ),
    );
    const r = await cli(['verify', '--connectors', connectors, '--json', ...common()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as {
      connectors: Array<{ name: string; verdict: string; code: string | null; checks: Array<{ id: string; status: string }>; result: ProbeResult }>;
    };
    const VERDICT: Record<string, string> = { pass: 'healthy', warn: 'degraded', fail: 'failing' };
    expect(Object.fromEntries(report.connectors.map((c) => [c.name, { verdict: VERDICT[c.verdict], code: c.code, warnings: c.result.warnings.map((w) => w.kind) }]))).toEqual(wanted());
    // The checklist's verdict-affecting items say what the judgement said: expiry warns exactly where the probe warned.
    const expiry = Object.fromEntries(report.connectors.map((c) => [c.name, c.checks.find((x) => x.id === 'certificate-expiry')?.status === 'warn']));
    expect(expiry).toEqual(Object.fromEntries(SCENARIOS.map((s) => [s.id, Boolean(s.want.warnings?.includes('certificate-expiring'))])));
  }, 120_000);

  it("probe explain --json: the re-check of the host a message trace names", async () => {
    const got = await mapLimit(SCENARIOS, 3, async (s) => {
      const trace = `Reason: [{LED=450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=${s.host}]};{MSG=};{FQDN=${s.host}};{LRT=3/7/2026 6:46:06 PM}]`;
      const r = await cli(['explain', '--json', ...common(), ...modeFlags(s), trace]);
      const out = JSON.parse(r.stdout) as { checks: Array<{ target: string; result: ProbeResult }> };
      expect(out.checks.map((c) => c.target)).toEqual([s.host]);
      return [s.id, answer((out.checks[0] as { result: ProbeResult }).result)] as const;
    });
    expect(Object.fromEntries(got)).toEqual(wanted());
  }, 120_000);
});
