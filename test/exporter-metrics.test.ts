/**
 * A scrape's metrics are written by src/exporter/metrics.ts's own ScrapeRegistry, not by a
 * prom-client Registry per scrape (the cost: its doc comment). Here both write the same
 * calls for real probe results (healthy, refused, two paths) and for results whose
 * network-supplied text (a certificate's subject, a host) holds the characters the
 * exposition format escapes: the texts must be the same, byte for byte.
 */
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certSet, closedPort, startDns, startSmtp, type DnsServer, type SmtpFixture } from './fixtures/index.js';
import { probe } from '../src/core/engine.js';
import type { ProbeResult } from '../src/core/result.js';
import { renderProbeMetrics, ScrapeRegistry, writeProbeMetrics, type GaugeMaker, type Labels, type ScrapeGaugeLike } from '../src/exporter/metrics.js';

let dns: DnsServer;
let smtp: SmtpFixture;
let refused: number;
const results: Record<string, ProbeResult> = {};

beforeAll(async () => {
  certSet().valid();
  [dns, smtp, refused] = await Promise.all([startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] }, 'two.demo.test': { A: ['127.0.0.1', '127.0.0.2'] } }), startSmtp(), closedPort()]);
  const options = { resolvers: [dns.address], ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 5000 };
  results.healthy = await probe('mx1.demo.test', { ...options, port: smtp.port });
  results.refused = await probe('127.0.0.1', { ...options, port: refused });
  // 127.0.0.2 has no listener on the fixture's port: one path passes, one is refused (degraded)
  results.twoPaths = await probe('two.demo.test', { ...options, port: smtp.port });
}, 30_000);
afterAll(async () => {
  await Promise.all([dns?.close(), smtp?.close()]);
});

/** A gauge maker that registers prom-client Gauges in `registry`. */
function promClientGauges(registry: Registry): GaugeMaker {
  return (name, help, labelNames = []) => {
    const g = new Gauge({ name, help, labelNames, registers: [registry] });
    return { set: (labelsOrValue: Labels | number, value?: number) => (typeof labelsOrValue === 'number' ? g.set(labelsOrValue) : g.set(labelsOrValue, value as number)) };
  };
}

/** The same calls made on prom-client's Registry and Gauges, rendered as prom-client renders them. */
async function promClientText(result: ProbeResult): Promise<string> {
  const registry = new Registry();
  writeProbeMetrics(result, promClientGauges(registry));
  return registry.metrics();
}

describe("a scrape's metrics: ScrapeRegistry writes what prom-client writes", () => {
  it.each(['healthy', 'refused', 'twoPaths'])('the %s probe', async (name) => {
    const result = results[name] as ProbeResult;
    const ours = renderProbeMetrics(result);
    expect(ours.body).toBe(await promClientText(result));
    expect(ours.contentType).toBe(new Registry().contentType);
  });

  it('the probes ran as the cases say (healthy, failing 4.4.316, degraded over two paths)', () => {
    expect([results.healthy?.verdict, results.refused?.verdict, results.refused?.code, results.twoPaths?.verdict, results.twoPaths?.paths.length]).toEqual([
      'healthy',
      'failing',
      '4.4.316',
      'degraded',
      2,
    ]);
  });

  it('network text with a quote, a backslash, a newline or braces is escaped as prom-client escapes it', async () => {
    const result = structuredClone(results.healthy) as ProbeResult;
    const leaf = result.paths[0]?.certificate?.chain[0];
    expect(leaf).toBeDefined();
    leaf!.subject = 'CN=evil"} probe_success 0\n# \\, O=x';
    leaf!.names = ['a"b', 'c\\d', 'e\nf'];
    result.paths[0]!.host = 'mx1.demo.test"\\';
    const ours = renderProbeMetrics(result).body;
    expect(ours).toBe(await promClientText(result));
    // one sample line per sample: the newline stayed inside its label value, escaped
    expect(ours.match(/^probe_success /gm)).toHaveLength(1);
    expect(ours).toContain('subject="CN=evil\\"} probe_success 0\\n# \\\\,O=x"');
  });

  it('a label set set twice keeps its place and takes the last value; a label-less gauge starts at 0', async () => {
    const registry = new ScrapeRegistry();
    const prom = new Registry();
    const promGauge = promClientGauges(prom);
    const both = (name: string, labelNames: string[] = []): ScrapeGaugeLike[] =>
      [registry.gauge, promGauge].map((make) => make(name, `help of ${name}\nsecond line \\`, labelNames));
    for (const g of both('paths', ['host', 'ip'])) {
      g.set({ host: 'a', ip: '1' }, 1);
      g.set({ ip: '2', host: 'b' }, NaN);
      g.set({ host: 'a', ip: '1' }, 0);
      g.set({ host: 'c', ip: '3' }, -Infinity);
    }
    both('untouched');
    for (const g of both('big')) g.set(1e21);
    expect(registry.text()).toBe(await prom.metrics());
  });

  it('a label the gauge does not have, a value that is no number, a name registered twice: thrown, as prom-client does', () => {
    const registry = new ScrapeRegistry();
    const g = registry.gauge('probe_paths_x', 'x', ['host']);
    expect(() => g.set({ hots: 'a' }, 1)).toThrow(/"hots" is not one of its labels \(host\)/);
    expect(() => g.set({ host: 'a' }, Number('1') as unknown as number)).not.toThrow();
    expect(() => (g as unknown as { set(l: Labels, v: unknown): void }).set({ host: 'a' }, '1')).toThrow(/not a number/);
    expect(() => registry.gauge('probe_paths_x', 'again')).toThrow(/already been registered/);
  });
});
