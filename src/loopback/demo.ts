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
import { fill, renderText, wrap } from '../report/text.js';
import { commandWords, type DemoCaseId } from '../catalog/commands.js';
import { catalogFor, type Language } from '../catalog/index.js';
import { warningText } from '../catalog/probe-text.js';
import { reportText } from '../catalog/report-text.js';
import type { ExchangeCode, ProbeResult, Verdict } from '../core/result.js';

interface DemoCase {
  /** The case's id: its words in each language are in src/catalog/commands.ts. */
  id: DemoCaseId;
  /** The English name: the case in JSON, and its name in the targets file `--keep` writes. */
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
  /** The case's English name (see DemoCase). */
  case: string;
  id: DemoCaseId;
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

    const named = (id: DemoCaseId, c: Omit<DemoCase, 'id' | 'name'>): DemoCase => ({ id, name: commandWords('en').demo.cases[id], ...c });
    const cases: DemoCase[] = [
      named('healthy', { target: 'smarthost.demo.test', port: healthy.port, expect: { verdict: 'healthy', code: null } }),
      named('pair', { target: 'pair.demo.test', port: healthy.port, expect: { verdict: 'degraded', code: '4.4.316' } }),
      named('nxdomain', { target: 'gone.demo.test', port: 25, expect: { verdict: 'failing', code: '4.4.312' } }),
      named('timeout', { target: hole.host, port: hole.port, options: { timeoutMs: 1500 }, expect: { verdict: 'failing', code: '4.4.315' } }),
      named('refused', { target: 'mx1.demo.test', port: refused, expect: { verdict: 'failing', code: '4.4.316' } }),
      named('banner', { target: 'mx1.demo.test', port: banner.port, expect: { verdict: 'failing', code: '4.4.317' } }),
      named('reset', { target: 'mx1.demo.test', port: reset.port, expect: { verdict: 'failing', code: '4.4.318' } }),
      named('expired', { target: 'mx1.demo.test', port: expired.port, expect: { verdict: 'failing', code: '4.7.320' } }),
      named('garbage', { target: 'mx1.demo.test', port: garbage.port, expect: { verdict: 'failing', code: 'other' } }),
    ];
    return { dnsAddress: dns.address, rootCert: certs.root.cert, cases, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Probes every case concurrently; the diagnoses in `language` (default English). */
export async function probeDemoCases(servers: DemoServers, language: Language = 'en'): Promise<DemoOutcome[]> {
  return Promise.all(
    servers.cases.map(
      async (c): Promise<DemoOutcome> => ({ case: c.name, id: c.id, expected: c.expect, result: await probe(c.target, { ...caseOptions(servers, c), language }) }),
    ),
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
const SHOWCASE: DemoCaseId = 'expired';

/** Quotes a word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The commands to try against the running demo servers: `probe` for a few cases, `verify`
 * for the healthy one, `serve` for all of them (a targets file and the root CA in `dir`).
 */
export function keepCommands(servers: DemoServers, dir: string, language: Language = 'en'): string[] {
  const words = commandWords(language).demo;
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
  // In Portuguese, the commands print Portuguese too.
  const common = ['--resolver', servers.dnsAddress, '--ca-file', caFile, '--ehlo-name', 'probe.demo.test', ...(language === 'en' ? [] : ['--lang', language])];
  const out: string[] = [];
  const shown: DemoCaseId[] = ['healthy', 'refused', 'expired', 'banner'];
  for (const c of servers.cases) {
    if (!shown.includes(c.id)) continue;
    const verdict = catalogFor(language).headings.verdicts[c.expect.code ? 'failing' : c.expect.verdict].toLowerCase();
    out.push(`  # ${words.cases[c.id]} → ${c.expect.code ? `${c.expect.code}` : language === 'en' ? c.expect.verdict : verdict}`);
    out.push(`  probe ${[c.target, '--port', String(c.port), ...common].map(shellWord).join(' ')}`);
  }
  const healthy = servers.cases[0]!;
  out.push(`  # ${words.checklistComment}`);
  out.push(`  probe verify ${[healthy.target, '--port', String(healthy.port), ...common].map(shellWord).join(' ')}`);
  out.push(`  # ${words.exporterComment}`);
  out.push(`  probe serve ${['--targets', targetsFile, '--listen', '127.0.0.1:0', ...common].map(shellWord).join(' ')}`);
  return out;
}

export async function runDemo(opts: { json: boolean; color: boolean; width?: number; keep?: boolean; language?: Language }): Promise<number> {
  const language = opts.language ?? 'en';
  const servers = await startDemoServers();
  let outcomes: DemoOutcome[];
  try {
    // The JSON stays English, as every --json output.
    outcomes = await probeDemoCases(servers, opts.json ? 'en' : language);
  } catch (err) {
    await servers.close();
    throw err;
  }
  if (!opts.keep) await servers.close();
  const code = report(outcomes, servers.dnsAddress, { ...opts, language });
  if (!opts.keep) return code;
  const dir = mkdtempSync(join(tmpdir(), 'mailflow-probe-demo-'));
  try {
    // With --json the commands go to stderr, so stdout stays one JSON document.
    (opts.json ? process.stderr : process.stdout).write(
      ['', commandWords(language).demo.keep, ...keepCommands(servers, dir, language), ''].join('\n') + '\n',
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

function report(outcomes: DemoOutcome[], dnsAddress: string, opts: { json: boolean; color: boolean; width?: number; language: Language }): number {
  const matched = outcomes.every((o) => o.result.verdict === o.expected.verdict && o.result.code === o.expected.code);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
    return matched ? 0 : 2;
  }
  const paint = (code: number, text: string): string => (opts.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const words = commandWords(opts.language).demo;
  const catalog = catalogFor(opts.language);
  const caseName = (o: DemoOutcome): string => words.cases[o.id];
  const colour: Record<Verdict, number> = { healthy: 32, degraded: 33, failing: 31 };
  const width = opts.width ?? Math.max(120, process.stdout.columns ?? 120);
  const verdicts = Object.fromEntries(Object.entries(catalog.headings.verdicts).map(([k, v]) => [k, v.toLowerCase()])) as Record<Verdict, string>;
  const caseWidth = Math.max(...outcomes.map((o) => caseName(o).length)) + 2;
  const verdictWidth = Math.max(10, ...Object.values(verdicts).map((v) => v.length + 2));
  const fixColumn = caseWidth + verdictWidth + 10;
  const lines = [
    paint(2, fill(words.header, { dns: dnsAddress })),
    '',
    paint(1, `${words.columns.case.padEnd(caseWidth)}${words.columns.verdict.padEnd(verdictWidth)}${words.columns.code.padEnd(10)}${words.columns.fix}`),
  ];
  for (const o of outcomes) {
    const r = o.result;
    const fix = r.diagnosis ? r.diagnosis.firstFix : r.warnings[0] ? warningText(r.warnings[0], catalog) : '—';
    lines.push(
      `${caseName(o).padEnd(caseWidth)}${paint(colour[r.verdict], verdicts[r.verdict].padEnd(verdictWidth))}${(r.code === 'other' ? reportText(catalogFor(opts.language)).other : (r.code ?? '—')).padEnd(10)}${wrap(fix, width, fixColumn)}`,
    );
  }
  // One failure in full, as `probe` prints it: what the table's one line stands for.
  const showcase = outcomes.find((o) => o.id === SHOWCASE);
  if (showcase) {
    lines.push('', paint(1, fill(words.showcase, { case: caseName(showcase) })), '');
    lines.push(renderText(showcase.result, { color: opts.color, width: Math.min(width, 100), catalog }).trimEnd());
  }
  lines.push('');
  lines.push(matched ? `${words.matched}\n  npx probe smarthost.contoso.com --transcript` : paint(31, words.mismatched));
  process.stdout.write(`${lines.join('\n')}\n`);
  return matched ? 0 : 2;
}
