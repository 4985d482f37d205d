/**
 * Issue 14: answer as Exchange Online would, from where it stands. Every report says where
 * the probe ran from; a refusal seen from outside Microsoft 365's ranges says the result
 * may differ (or, for a smart host declared restricted, is unverifiable from here); the
 * default EHLO name is never a single label; `--source-address` binds; opportunistic TLS
 * without STARTTLS is healthy with a note. Real loopback servers throughout.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path, { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { spoken } from './fixtures/spoken.js';
import { openContext } from '../probes/context.js';
import { addressLiteral, PROBE_STEPS, runSession } from '../probes/session.js';
import { advance, initialState, type AlertPolicy, type Observation } from '../src/scheduled/alert-state.js';
import { alertHeadline, alertLines } from '../src/scheduled/alerts/format.js';
import { probe } from '../src/core/engine.js';
import { M365_RANGES, inRanges, parseRanges } from '../src/core/m365-ranges.js';
import { defaultEhloName, resolveSettings, UsageError, type ProbeOptions } from '../src/core/options.js';
import { renderJson } from '../src/report/json.js';
import { renderText } from '../src/report/text.js';
import { renderVerifyHtml } from '../src/report/verify-html.js';
import { VERSION } from '../src/core/version.js';
import type { VerifyReport } from '../src/verify/run.js';
import { closedPort, loopbackProbeOptions, noStarttls, startDns, startRaw, type DnsServer, type RawHandler } from './fixtures/index.js';

const BIN = resolve('dist/src/cli/bin.js');
let dns: DnsServer;

beforeAll(async () => {
  dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] }, 'v6.demo.test': { AAAA: ['::1'] } });
});
afterAll(() => dns.close());

function options(port: number, extra: ProbeOptions = {}): ProbeOptions {
  return { ...loopbackProbeOptions(dns, port, { timeoutMs: 1500, deadlineMs: 6000 }), ...extra };
}

async function raw(handler: RawHandler) {
  const server = await startRaw(handler);
  onTestFinished(async () => {
    await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
    await server.close();
  });
  return server;
}

/**
 * A receiver that requires a fully qualified EHLO name (or an address literal), as many
 * do (Postfix reject_non_fqdn_helo_hostname): records each client's address and name.
 */
function fqdnOnly(seen: { remote: string | undefined; ehlo: string }[]): RawHandler {
  return (socket: net.Socket) => {
    socket.write('220 mx1.demo.test ESMTP\r\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const [verb = '', arg = ''] = line.split(' ');
        if (verb === 'EHLO' || verb === 'HELO') {
          seen.push({ remote: socket.remoteAddress, ehlo: arg });
          const ok = arg.includes('.') || /^\[.*\]$/.test(arg);
          socket.write(ok ? `250 mx1.demo.test\r\n` : `504 5.5.2 <${arg}>: Helo command rejected: need fully-qualified hostname\r\n`);
        } else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
        else socket.write('502 5.5.1 not here\r\n');
      }
    });
  };
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('the default EHLO name is never a single label', () => {
  it.each([
    ['probe.contoso.com', 'probe.contoso.com'],
    ['Probe.Contoso.COM', 'probe.contoso.com'],
    ['vm', null],
    ['localhost', null],
    ['not a name', null],
  ])('hostname %s → %s', (hostname, want) => {
    expect(defaultEhloName(hostname)).toBe(want);
  });

  it('an address literal is written as RFC 5321 §4.1.3 has it', () => {
    expect([addressLiteral('127.0.0.1'), addressLiteral('::1')]).toEqual(['[127.0.0.1]', '[IPv6:::1]']);
  });

  it('a receiver that rejects a single-label name accepts the default: the address literal of the source address', async () => {
    const seen: { remote: string | undefined; ehlo: string }[] = [];
    const server = await raw(fqdnOnly(seen));
    const tls = { mode: 'opportunistic' as const, domain: null, ca: [], revocation: 'off' as const };
    const session = async (ehloName: string | null) => {
      const scope = openContext({ deadlineMs: 5000, stageTimeoutMs: 1500, resolvers: [], port: server.port, ehloName, tls });
      try {
        return await runSession(scope.context(), { ip: '127.0.0.1', servername: null, steps: PROBE_STEPS });
      } finally {
        scope.dispose();
      }
    };
    // The machine's name forced to a single label, as on a VM called `vm`.
    const facts = await session(defaultEhloName('vm'));
    expect([facts.failure, facts.sourceAddress, facts.capabilities?.serverName]).toEqual([undefined, '127.0.0.1', 'mx1.demo.test']);
    expect(seen).toEqual([{ remote: '127.0.0.1', ehlo: '[127.0.0.1]' }]);
    // The control: the bare label itself is refused (EHLO, then HELO), a 4.4.317 Exchange Online would never see.
    const bare = await session('vm');
    expect([bare.failure?.stage, bare.failure?.kind, bare.failure?.detail.reply?.code]).toEqual(['ehlo', 'reply', 504]);
  });
});

describe('--source-address', () => {
  it('binds the connection: the server sees 127.0.0.2, and the path records it', async () => {
    const seen: { remote: string | undefined; ehlo: string }[] = [];
    const server = await raw(fqdnOnly(seen));
    const result = await probe('mx1.demo.test', options(server.port, { tlsMode: 'opportunistic', sourceAddress: '127.0.0.2' }));
    expect(seen).toEqual([{ remote: '127.0.0.2', ehlo: 'probe.demo.test' }]);
    expect([result.verdict, result.paths[0]?.sourceAddress, result.vantage?.sourceAddress]).toEqual(['healthy', '127.0.0.2', '127.0.0.2']);
    expect(result.paths[0]?.stages.find((s) => s.name === 'tcp')?.detail).toBe(`connected to 127.0.0.1:${server.port} from 127.0.0.2`);
  });

  it('a path of the other address family fails with a clear message, and nothing is sent', async () => {
    const port = await closedPort('::1');
    const result = await probe('v6.demo.test', options(port, { sourceAddress: '127.0.0.1' }));
    const p = result.paths[0];
    expect([p?.ip, p?.verdict, p?.code, p?.failure?.stage, p?.failure?.kind]).toEqual(['::1', 'failing', 'other', 'tcp', 'internal']);
    expect(p?.failure?.message).toBe(`::1 port ${port}: cannot connect from source address 127.0.0.1: it is IPv4, the path IPv6`);
  });

  it('bad input: a one-line error naming the value, exit 3, nothing sent', async () => {
    expect(() => resolveSettings('mx1.demo.test', { sourceAddress: 'mx1.demo.test' })).toThrow(
      new UsageError('invalid source address "mx1.demo.test": must be an IP address of this machine'),
    );
    const before = dns.queries.length;
    const r = await cli(['mx1.demo.test', '--resolver', dns.address, '--source-address', '300.1.1.1']);
    expect([r.code, r.stdout, r.stderr.trim().split('\n').length]).toEqual([3, '', 1]);
    expect(r.stderr).toContain('"300.1.1.1"');
    expect(dns.queries.length).toBe(before);
  });
});

describe('the Microsoft 365 ranges', () => {
  it.each([
    ['40.92.1.2', true],
    ['40.107.255.255', true],
    ['52.103.0.1', true],
    ['52.238.78.88', true],
    ['52.238.78.89', false],
    ['104.47.127.1', true],
    ['104.47.128.1', false],
    ['2a01:111:f400:7e00::25', true],
    ['2a01:111:f402::1', false],
    ['::ffff:40.92.0.1', true],
    ['127.0.0.1', false],
    ['::1', false],
  ])('%s in them: %s', (ip, want) => {
    expect(inRanges(ip)).toBe(want);
  });

  it('a ranges file replaces the list; a bad line names itself', () => {
    expect(parseRanges('# ours\n127.0.0.0/8\n\n::1/128 # v6\n')).toEqual(['127.0.0.0/8', '::1/128']);
    expect(() => parseRanges('127.0.0.0/33\n')).toThrow('"127.0.0.0/33" is not a CIDR range such as 40.92.0.0/15');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-m365-'));
    const file = path.join(dir, 'bad.txt');
    writeFileSync(file, 'nonsense\n');
    expect(() => resolveSettings('mx1.demo.test', { m365Ranges: file })).toThrow(UsageError);
  });
});

describe('a refusal seen from outside Microsoft 365', () => {
  it('says the result may differ, and lists the ranges the smart host must allow', async () => {
    const port = await closedPort();
    const result = await probe('127.0.0.1', options(port));
    expect([result.verdict, result.code, result.mayDiffer, result.unverifiable, result.paths[0]?.outsideMicrosoft365]).toEqual(['failing', '4.4.316', true, undefined, true]);
    expect(spoken(result.diagnosis?.vantage)).toEqual({
      sourceAddress: null,
      ranges: [...M365_RANGES],
      message: expect.stringMatching(/^probed from this machine, outside the ranges Exchange Online delivers from: a smart host that allows only Microsoft 365's ranges refuses everyone else this way/),
    });
    expect(result.diagnosis?.vantage?.message).toContain(M365_RANGES.join(', '));
    const text = renderText(result, { width: 400 });
    expect(text).toContain("may differ from Exchange Online's result: probed from outside Microsoft 365's ranges");
    expect(text).toMatch(/From here +probed from this machine, outside/);
  });

  it('a 5xx greeting counts as such a refusal; the connected path knows its source', async () => {
    const server = await raw((socket) => socket.end('554 5.7.1 mx1.demo.test: not from your address\r\n'));
    const result = await probe('mx1.demo.test', options(server.port));
    expect([result.verdict, result.code, result.mayDiffer, result.diagnosis?.vantage?.sourceAddress, result.diagnosis?.stage]).toEqual(['failing', '4.4.317', true, '127.0.0.1', 'banner']);
  });

  it('from inside the ranges (a ranges file naming loopback, a bound source) it is a plain failure', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-m365-'));
    const file = path.join(dir, 'ranges.txt');
    writeFileSync(file, '127.0.0.0/8\n');
    const port = await closedPort();
    const result = await probe('127.0.0.1', options(port, { sourceAddress: '127.0.0.1', m365Ranges: file }));
    expect([result.verdict, result.code, result.mayDiffer, result.diagnosis?.vantage, result.paths[0]?.outsideMicrosoft365]).toEqual(['failing', '4.4.316', undefined, undefined, undefined]);
  });

  it('--restricted-to-m365: unverifiable from here, not failing (exit 0); the failure stays as a fact', async () => {
    const port = await closedPort();
    const result = await probe('127.0.0.1', options(port, { restrictedToMicrosoft365: true }));
    const p = result.paths[0];
    expect([result.verdict, result.code, result.unverifiable, result.mayDiffer, result.warnings]).toEqual(['healthy', null, true, undefined, []]);
    expect([p?.verdict, p?.code, p?.unverifiable, p?.failure?.kind]).toEqual(['healthy', null, true, 'connect-refused']);
    expect(result.notes).toEqual([expect.stringMatching(/^127\.0\.0\.1 at 127\.0\.0\.1 refused the probe from this machine \(.*\); it accepts only Microsoft 365's addresses, so this path is unverifiable from here$/)]);
    expect(renderText(result)).toContain("unverifiable from here: the smart host accepts only Microsoft 365's addresses");
    const r = await cli(['127.0.0.1', '--port', String(port), '--resolver', dns.address, '--restricted-to-m365', '--json', '--timeout', '1500']);
    expect([r.code, (JSON.parse(r.stdout) as { unverifiable?: boolean }).unverifiable]).toEqual([0, true]);
  });
});

describe('every report says where the probe ran from', () => {
  it('JSON: a vantage object and each path\'s source address; text: one line under the header', async () => {
    const server = await raw(noStarttls);
    const result = await probe('mx1.demo.test', options(server.port, { tlsMode: 'opportunistic' }));
    const json = JSON.parse(renderJson(result)) as Record<string, unknown> & { paths: { sourceAddress: string }[] };
    expect(json.vantage).toEqual({ tool: 'mailflow-probe', version: VERSION, host: os.hostname(), resolvers: [dns.address], sourceAddress: null });
    expect(json.paths.map((p) => p.sourceAddress)).toEqual(['127.0.0.1']);
    const lines = renderText(result).split('\n');
    expect(lines[1]).toBe(`from ${os.hostname()} (source 127.0.0.1) · resolvers ${dns.address} · mailflow-probe ${VERSION}`);
  });

  it("the exporter's target detail page, from the history point", async () => {
    const server = await raw(noStarttls);
    const result = await probe('mx1.demo.test', options(server.port, { tlsMode: 'opportunistic' }));
    const { historyPoint } = await import('../src/exporter/history.js');
    const { renderTargetDetail } = await import('../src/exporter/status-page.js');
    const page = renderTargetDetail({ name: 'contoso', targets: ['mx1.demo.test'], history: [historyPoint(result)] }, { now: new Date(), source: 'memory' });
    expect(page).toContain(`<dt>probed</dt><dd data-field="vantage">from ${os.hostname()} (source 127.0.0.1) · resolvers ${dns.address} · mailflow-probe ${VERSION}</dd>`);
  });

  it('the system resolver is named "system"', () => {
    // No probe: the vantage of settings without resolvers (nothing is sent).
    return import('../src/core/engine.js').then(({ vantageOf }) => {
      expect(vantageOf({ resolvers: [], sourceAddress: null }).resolvers).toEqual(['system']);
    });
  });

  it('the verify HTML report, escaped', () => {
    const report: VerifyReport = {
      schema: 'mailflow-probe/verify@1' as VerifyReport['schema'],
      source: 'command line',
      startedAt: '2026-11-30T09:00:00.000Z',
      durationMs: 1,
      maxMessageSize: 37_748_736,
      warnDays: 30,
      verdict: 'pass',
      counts: { pass: 0, warn: 0, fail: 0, skipped: 0, incomplete: 0 },
      connectors: [],
      vantage: { tool: 'mailflow-probe', version: VERSION, host: 'probe<1>', resolvers: ['127.0.0.1:53'], sourceAddress: '127.0.0.2' },
    };
    expect(renderVerifyHtml(report)).toContain(`<p class="meta" data-role="vantage">from probe&lt;1&gt; (source 127.0.0.2) · resolvers 127.0.0.1:53 · mailflow-probe ${VERSION}</p>`);
  });
});

describe('opportunistic TLS without STARTTLS', () => {
  it('is healthy (exit 0), with a note that mail goes unencrypted', async () => {
    const server = await raw(noStarttls);
    const r = await cli(['mx1.demo.test', '--port', String(server.port), '--resolver', dns.address, '--tls-mode', 'opportunistic', '--ehlo-name', 'probe.demo.test']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(' i mx1.demo.test at 127.0.0.1 does not offer STARTTLS: mail goes unencrypted, as an opportunistic connector allows');
    expect(r.stdout.split('\n')[2]).toMatch(/^HEALTHY {2}1 of 1 paths pass/);
  });

  it('the scheduled checks alert once when a target that used TLS stops offering it', () => {
    const policy: AlertPolicy = { queueLifetimeMs: 86_400_000, escalateBeforeMs: [], reminderEveryMs: null, flapping: { changes: 10, windowMs: 3_600_000 } };
    const obs = (minute: number, tls: boolean | null): Observation => ({
      at: new Date(Date.UTC(2026, 10, 30, 9, minute)),
      verdict: 'healthy',
      code: null,
      status: null,
      stage: null,
      summary: null,
      firstFix: null,
      warnings: [],
      tls,
      vantage: 'from probe.contoso.test (source 127.0.0.1) · resolvers system · mailflow-probe 1.0.0',
    });
    let state = initialState('contoso');
    const kinds: string[][] = [];
    for (const [minute, tls] of [[0, true], [5, true], [10, false], [15, false], [20, null], [25, true], [30, false]] as const) {
      const step = advance(state, obs(minute, tls), policy);
      state = step.next;
      kinds.push(step.alerts.map((a) => a.kind));
      if (step.alerts[0]?.kind === 'tls-stopped') {
        expect(alertHeadline(step.alerts[0])).toBe('TLS STOPPED: mail now goes unencrypted');
        expect(alertLines(step.alerts[0])[1]).toBe('Checked from probe.contoso.test (source 127.0.0.1) · resolvers system · mailflow-probe 1.0.0');
      }
    }
    expect(kinds).toEqual([[], [], ['tls-stopped'], [], [], [], ['tls-stopped']]);
  });
});
