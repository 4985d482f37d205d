/**
 * `probe demo`: loopback smart hosts that fail in every way Exchange Online reports,
 * with their own DNS server and certificates, each probed by the real engine. A newcomer
 * sees every code without a network; nothing leaves 127.0.0.0/8.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  banner421,
  certSet,
  closedPort,
  garbageBanner,
  resetAfterEhlo,
  startBlackhole,
  startDns,
  startRaw,
  startSmtp,
} from './index.js';
import { probe } from '../core/engine.js';
import type { ProbeOptions } from '../core/options.js';
import { renderText, wrap } from '../report/text.js';
import type { ExchangeCode, ProbeResult, Verdict } from '../core/result.js';

interface DemoCase {
  name: string;
  target: string;
  port: number;
  options?: ProbeOptions;
  expect: { verdict: Verdict; code: ExchangeCode | null };
}

interface Closable {
  close(): Promise<void>;
}

export interface DemoOutcome {
  case: string;
  expected: DemoCase['expect'];
  result: ProbeResult;
}

/** The demo's loopback servers and the cases that probe them; `close()` stops them all. */
export interface DemoServers {
  dnsAddress: string;
  rootCert: string;
  cases: DemoCase[];
  close(): Promise<void>;
}

/** The options every demo probe runs with (and the commands `--keep` prints spell out). */
function caseOptions(servers: Pick<DemoServers, 'dnsAddress' | 'rootCert'>, c: DemoCase): ProbeOptions {
  return { port: c.port, resolvers: [servers.dnsAddress], ca: [servers.rootCert], ehloName: 'probe.demo.test', timeoutMs: 3000, ...c.options };
}

/** Starts the DNS server and one smart host per outcome, all on loopback. */
export async function startDemoServers(): Promise<DemoServers> {
  const open: Closable[] = [];
  const keep = <T extends Closable>(server: T): T => {
    open.push(server);
    return server;
  };
  const close = async (): Promise<void> => {
    await Promise.all(open.splice(0).map((server) => server.close()));
  };
  try {
    const certs = certSet();
    const dns = keep(
      await startDns({
        'smarthost.demo.test': { MX: [{ preference: 10, exchange: 'mx1.demo.test' }] },
        'mx1.demo.test': { A: ['127.0.0.1'] },
        'pair.demo.test': { A: ['127.0.0.1', '127.0.0.2'] },
      }),
    );
    const healthy = keep(await startSmtp({ tls: { key: certs.valid().key, cert: certs.valid().fullchain } }));
    const expired = keep(await startSmtp({ tls: { key: certs.expired.key, cert: certs.expired.fullchain } }));
    const hole = keep(await startBlackhole());
    const banner = keep(await startRaw(banner421));
    const reset = keep(await startRaw(resetAfterEhlo));
    const garbage = keep(await startRaw(garbageBanner));
    const refused = await closedPort();

    const cases: DemoCase[] = [
      { name: 'healthy (MX, STARTTLS, trusted chain)', target: 'smarthost.demo.test', port: healthy.port, expect: { verdict: 'healthy', code: null } },
      { name: 'one of two addresses refuses', target: 'pair.demo.test', port: healthy.port, expect: { verdict: 'degraded', code: '4.4.316' } },
      { name: 'name does not exist (NXDOMAIN)', target: 'gone.demo.test', port: 25, expect: { verdict: 'failing', code: '4.4.312' } },
      { name: 'SYN never answered', target: hole.host, port: hole.port, options: { timeoutMs: 1500 }, expect: { verdict: 'failing', code: '4.4.315' } },
      { name: 'port 25 closed', target: 'mx1.demo.test', port: refused, expect: { verdict: 'failing', code: '4.4.316' } },
      { name: 'greeting is 421 4.3.2', target: 'mx1.demo.test', port: banner.port, expect: { verdict: 'failing', code: '4.4.317' } },
      { name: 'connection reset after EHLO', target: 'mx1.demo.test', port: reset.port, expect: { verdict: 'failing', code: '4.4.318' } },
      { name: 'certificate expired', target: 'mx1.demo.test', port: expired.port, expect: { verdict: 'failing', code: '4.7.320' } },
      { name: 'not an SMTP server', target: 'mx1.demo.test', port: garbage.port, expect: { verdict: 'failing', code: 'other' } },
    ];
    return { dnsAddress: dns.address, rootCert: certs.root.cert, cases, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Probes every case concurrently. */
export async function probeDemoCases(servers: DemoServers): Promise<DemoOutcome[]> {
  return Promise.all(
    servers.cases.map(async (c): Promise<DemoOutcome> => ({ case: c.name, expected: c.expect, result: await probe(c.target, caseOptions(servers, c)) })),
  );
}

/** Starts the servers, probes every case concurrently, closes everything. */
export async function demoOutcomes(): Promise<{ outcomes: DemoOutcome[]; dnsAddress: string }> {
  const servers = await startDemoServers();
  try {
    return { outcomes: await probeDemoCases(servers), dnsAddress: servers.dnsAddress };
  } finally {
    await servers.close();
  }
}

/** The case whose full report follows the table: a failure with every section of the diagnosis. */
const SHOWCASE = 'certificate expired';

/** Quotes a word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The commands to try against the running demo servers: `probe` for a few cases, `verify`
 * for the healthy one, `serve` for all of them (a targets file and the root CA in `dir`).
 */
export function keepCommands(servers: DemoServers, dir: string): string[] {
  const caFile = join(dir, 'demo-root.pem');
  const targetsFile = join(dir, 'demo-targets.txt');
  writeFileSync(caFile, servers.rootCert);
  const name = (c: DemoCase): string => c.name.replace(/\s*\(.*$/, '').replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
  writeFileSync(
    targetsFile,
    servers.cases
      .map((c) => `${c.target} name=${name(c)} port=${c.port}${c.options?.timeoutMs ? ` timeout=${c.options.timeoutMs}` : ''}`)
      .join('\n') + '\n',
  );
  const common = ['--resolver', servers.dnsAddress, '--ca-file', caFile, '--ehlo-name', 'probe.demo.test'];
  const out: string[] = [];
  for (const c of servers.cases) {
    if (!['healthy (MX, STARTTLS, trusted chain)', 'port 25 closed', 'certificate expired', 'greeting is 421 4.3.2'].includes(c.name)) continue;
    out.push(`  # ${c.name} → ${c.expect.code ? `${c.expect.code}` : c.expect.verdict}`);
    out.push(`  probe ${[c.target, '--port', String(c.port), ...common].map(shellWord).join(' ')}`);
  }
  const healthy = servers.cases[0]!;
  out.push('  # the pre-migration checklist for the healthy smart host');
  out.push(`  probe verify ${[healthy.target, '--port', String(healthy.port), ...common].map(shellWord).join(' ')}`);
  out.push('  # the exporter over every case: /probe?target=certificate-expired, /metrics, /');
  out.push(`  probe serve ${['--targets', targetsFile, '--listen', '127.0.0.1:0', ...common].map(shellWord).join(' ')}`);
  return out;
}

export async function runDemo(opts: { json: boolean; color: boolean; width?: number; keep?: boolean }): Promise<number> {
  const servers = await startDemoServers();
  let outcomes: DemoOutcome[];
  try {
    outcomes = await probeDemoCases(servers);
  } catch (err) {
    await servers.close();
    throw err;
  }
  if (!opts.keep) await servers.close();
  const code = report(outcomes, servers.dnsAddress, opts);
  if (!opts.keep) return code;
  const dir = mkdtempSync(join(tmpdir(), 'mailflow-probe-demo-'));
  try {
    // With --json the commands go to stderr, so stdout stays one JSON document.
    (opts.json ? process.stderr : process.stdout).write(
      ['', 'The demo servers stay up until Ctrl-C (DNS and smart hosts on loopback). Try, in another terminal:', ...keepCommands(servers, dir), ''].join('\n') + '\n',
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  } finally {
    await servers.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return code;
}

function report(outcomes: DemoOutcome[], dnsAddress: string, opts: { json: boolean; color: boolean; width?: number }): number {
  const matched = outcomes.every((o) => o.result.verdict === o.expected.verdict && o.result.code === o.expected.code);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
    return matched ? 0 : 2;
  }
  const paint = (code: number, text: string): string => (opts.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const colour: Record<Verdict, number> = { healthy: 32, degraded: 33, failing: 31 };
  const width = opts.width ?? Math.max(120, process.stdout.columns ?? 120);
  const caseWidth = Math.max(...outcomes.map((o) => o.case.length)) + 2;
  const fixColumn = caseWidth + 10 + 10;
  const lines = [
    paint(2, `mailflow-probe demo: loopback smart hosts, one per outcome (DNS ${dnsAddress}, certificates made just now)`),
    '',
    paint(1, `${'case'.padEnd(caseWidth)}${'verdict'.padEnd(10)}${'code'.padEnd(10)}first fix`),
  ];
  for (const o of outcomes) {
    const r = o.result;
    const fix = r.diagnosis ? r.diagnosis.firstFix : r.warnings[0]?.message ?? '—';
    lines.push(
      `${o.case.padEnd(caseWidth)}${paint(colour[r.verdict], r.verdict.padEnd(10))}${(r.code ?? '—').padEnd(10)}${wrap(fix, width, fixColumn)}`,
    );
  }
  // One failure in full, as `probe` prints it: what the table's one line stands for.
  const showcase = outcomes.find((o) => o.case === SHOWCASE);
  if (showcase) {
    lines.push('', paint(1, `One case in full (${SHOWCASE}), as probe reports it:`), '');
    lines.push(renderText(showcase.result, { color: opts.color, width: Math.min(width, 100) }).trimEnd());
  }
  lines.push('');
  lines.push(
    matched
      ? 'Every case gave the verdict and code Exchange Online would report. Now try a real smart host:\n  npx probe smarthost.contoso.com --transcript'
      : paint(31, 'Some cases did not give the expected code: this is a bug, please report it with `probe demo --json`.'),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return matched ? 0 : 2;
}
