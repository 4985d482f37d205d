/**
 * A probe result in the Prometheus exposition format, as blackbox_exporter's `/probe`
 * answers: one fresh registry per scrape, so every series describes this probe only.
 * Every phase is registered up front (0 when not reached), as blackbox_exporter does,
 * so a dashboard's series do not vanish when a probe fails early.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { defaultRevocationCache, type RevocationCache, type RevocationCacheStats } from '../../probes/revocation-cache.js';
import { STAGES } from '../../probes/stage.js';
import type { PathResult, ProbeResult } from '../result.js';

/** The path whose phases and code are reported: the headline failing path, else the first. */
function headlinePath(result: ProbeResult): PathResult | undefined {
  return result.paths.find((p) => p.verdict === 'failing' && p.code) ?? result.paths[0];
}

/** The metrics of one probe, in the text exposition format (prom-client's contentType). */
export async function renderProbeMetrics(result: ProbeResult): Promise<{ body: string; contentType: string }> {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []): Gauge<string> =>
    new Gauge({ name, help, labelNames, registers: [registry] });

  gauge('probe_success', 'Whether mail would flow: 1 when at least one path passed (healthy or degraded), else 0').set(
    result.verdict === 'failing' ? 0 : 1,
  );
  gauge('probe_degraded', 'Whether mail would flow but a path failed or a warning holds (1), else 0').set(result.verdict === 'degraded' ? 1 : 0);
  gauge('probe_duration_seconds', 'How long the whole probe took, in seconds').set(result.durationMs / 1000);

  const phases = gauge('probe_phase_duration_seconds', 'Time spent in each stage of the reported path, in seconds', ['phase']);
  const headline = headlinePath(result);
  for (const phase of STAGES) phases.set({ phase }, (headline?.stages.find((s) => s.name === phase)?.ms ?? 0) / 1000);

  gauge(
    'probe_mailflow_code_info',
    'The code Exchange Online would report ("none" when nothing failed) and where: stage, host and address of the reported path',
    ['code', 'stage', 'host', 'ip'],
  ).set(
    {
      code: result.code ?? 'none',
      stage: result.code ? (headline?.failure?.stage ?? '') : '',
      host: headline?.host ?? '',
      ip: headline?.ip ?? '',
    },
    1,
  );

  const expiries = result.paths.flatMap((p) => (p.certificate?.chain ?? []).filter((c) => !c.anchor).map((c) => Date.parse(c.validTo)));
  if (expiries.length) {
    gauge('probe_ssl_earliest_cert_expiry', 'Earliest expiry of the certificates the smart hosts presented, as a Unix time in seconds').set(
      Math.min(...expiries) / 1000,
    );
  }
  const versions = new Set(result.paths.map((p) => p.tls?.protocol).filter((v): v is string => Boolean(v)));
  if (versions.size) {
    const info = gauge('probe_tls_version_info', 'The TLS version the smart hosts negotiated', ['version']);
    for (const version of versions) info.set({ version }, 1);
  }

  const paths = gauge('probe_path_success', 'Per path (host × address): 1 when it passed, else 0', ['host', 'ip']);
  for (const p of result.paths) paths.set({ host: p.host, ip: p.ip ?? '' }, p.verdict === 'failing' ? 0 : 1);
  gauge('probe_paths', 'How many paths (host × address) were probed').set(result.paths.length);

  return { body: await registry.metrics(), contentType: registry.contentType };
}

/**
 * The revocation cache's figures on the exporter's own /metrics: read from the cache at
 * each scrape (`cache` defaults to the process-wide one the probes use).
 */
export function registerRevocationCacheMetrics(registry: Registry, cache: RevocationCache = defaultRevocationCache()): void {
  const counters: Array<[string, string, keyof RevocationCacheStats]> = [
    ['mailflow_revocation_cache_hits_total', 'CRL lookups answered from the cache (or by a download already under way)', 'hits'],
    ['mailflow_revocation_cache_misses_total', 'CRL lookups that downloaded a CRL not held', 'misses'],
    ['mailflow_revocation_cache_refreshes_total', 'Conditional GETs of a CRL past its nextUpdate', 'refreshes'],
    ['mailflow_revocation_cache_not_modified_total', 'Refreshes answered 304 Not Modified', 'notModified'],
    ['mailflow_revocation_cache_downloaded_bytes_total', 'Bytes of CRLs downloaded', 'downloadedBytes'],
    ['mailflow_revocation_cache_evictions_total', 'CRLs dropped to keep within the bounds', 'evictions'],
  ];
  for (const [name, help, key] of counters) {
    new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(cache.stats()[key]); } });
  }
  new Gauge({ name: 'mailflow_revocation_cache_bytes', help: 'Bytes of the CRLs held (their DER size)', registers: [registry], collect() { this.set(cache.stats().bytes); } });
  new Gauge({ name: 'mailflow_revocation_cache_entries', help: 'CRLs held', registers: [registry], collect() { this.set(cache.stats().entries); } });
}
