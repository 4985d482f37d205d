/**
 * `probe demo`: loopback smart hosts that fail in every way Exchange Online reports,
 * with their own DNS server and certificates, each probed by the real engine. A newcomer
 * sees every code without a network; nothing leaves 127.0.0.0/8.
 */
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
} from '../test/fixtures/index.js';
import { probe } from './engine.js';
import type { ProbeOptions } from './options.js';
import { wrap } from './report/text.js';
import type { ExchangeCode, ProbeResult, Verdict } from './result.js';

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

/** Starts the servers, probes every case concurrently, closes everything. */
export async function demoOutcomes(): Promise<{ outcomes: DemoOutcome[]; dnsAddress: string }> {
  const open: Closable[] = [];
  const keep = <T extends Closable>(server: T): T => {
    open.push(server);
    return server;
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
    const outcomes = await Promise.all(
      cases.map(async (c): Promise<DemoOutcome> => ({
        case: c.name,
        expected: c.expect,
        result: await probe(c.target, {
          port: c.port,
          resolvers: [dns.address],
          ca: [certs.root.cert],
          ehloName: 'probe.demo.test',
          timeoutMs: 3000,
          ...c.options,
        }),
      })),
    );
    return { outcomes, dnsAddress: dns.address };
  } finally {
    await Promise.all(open.map((server) => server.close()));
  }
}

export async function runDemo(opts: { json: boolean; color: boolean; width?: number }): Promise<number> {
  const { outcomes, dnsAddress } = await demoOutcomes();
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
  lines.push('');
  lines.push(
    matched
      ? 'Every case gave the verdict and code Exchange Online would report. Now try a real smart host:\n  npx probe smarthost.contoso.com --transcript'
      : paint(31, 'Some cases did not give the expected code: this is a bug, please report it with `probe demo --json`.'),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return matched ? 0 : 2;
}
