/**
 * A probe result in the Prometheus exposition format, as blackbox_exporter's `/probe`
 * answers: one fresh registry per scrape, so every series describes this probe only.
 * Every phase is registered up front (0 when not reached), as blackbox_exporter does,
 * so a dashboard's series do not vanish when a probe fails early.
 *
 * Where a metric means what one of blackbox_exporter's does (prober/utils.go, tcp.go,
 * tls.go), it has that metric's name, labels and label values, so dashboards and alerts
 * written for blackbox_exporter's TCP/TLS probes work unchanged; ours carry the
 * Exchange-specific facts (the code, the paths, the degraded verdict).
 *
 * A scrape's registry is a `ScrapeRegistry`, not prom-client's: building a prom-client
 * Registry and its fifteen Gauges for every scrape, then its async rendering, cost ~0.28 ms
 * of CPU per scrape of `probe serve` on Node 20 (0.62 → 0.34 ms of the exporter's own work
 * per scrape, measured with the probe's result held), for a text that is a few gauges. It
 * writes exactly what prom-client writes for the same calls (test/exporter-metrics.test.ts
 * renders both); the exporter's own long-lived /metrics registry stays prom-client's.
 */
import ipaddr from 'ipaddr.js';
import { Counter, Gauge, Registry } from 'prom-client';
import { defaultRevocationCache, type RevocationCache, type RevocationCacheStats } from '../../probes/revocation-cache.js';
import { STAGES } from '../../probes/stage.js';
import type { PathResult, ProbeResult } from '../core/result.js';
import { earliestExpiry, headlinePath, seconds } from '../core/result-facts.js';
import { VERSION } from '../core/version.js';

/** Label values by label name. */
export type Labels = Record<string, string>;

/** What the probe's metrics need of a gauge: prom-client's `set`, with or without labels. */
export interface ScrapeGaugeLike {
  set(value: number): void;
  set(labels: Labels, value: number): void;
}

/** Registers a gauge in one scrape's registry. */
export type GaugeMaker = (name: string, help: string, labelNames?: string[]) => ScrapeGaugeLike;

const NO_LABELS: Labels = Object.freeze({});

/**
 * One gauge of a scrape: its samples by label values, in the order first set (a label set
 * set again keeps its place and takes the new value), 0 from the start when it has no
 * labels: as prom-client's Gauge keeps them.
 */
class ScrapeGauge implements ScrapeGaugeLike {
  readonly samples = new Map<string | undefined, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {
    if (!labelNames.length) this.samples.set('', { labels: NO_LABELS, value: 0 });
  }

  set(labelsOrValue: Labels | number, value?: number): void {
    const labels = typeof labelsOrValue === 'number' ? NO_LABELS : labelsOrValue;
    const v = typeof labelsOrValue === 'number' ? labelsOrValue : value;
    if (typeof v !== 'number') throw new TypeError(`${this.name}: the value is not a number: ${String(v)}`);
    for (const name in labels) {
      if (!this.labelNames.includes(name)) throw new Error(`${this.name}: "${name}" is not one of its labels (${this.labelNames.join(', ')})`);
    }
    // A label set's identity: its one value (undefined, unset, is no string), or all of them
    const names = this.labelNames;
    const key = names.length === 0 ? '' : names.length === 1 ? labels[names[0] as string] : JSON.stringify(names.map((n) => labels[n] ?? null));
    this.samples.set(key, { labels, value: v });
  }
}

/** The exposition format's escapes (text format 0.0.4): in HELP, `\` and newline; in a label value, `"` too. */
function escapeText(text: string): string {
  return HAS_TEXT_ESCAPE.test(text) ? text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : text;
}
const HAS_TEXT_ESCAPE = /[\\\n]/;

function escapeLabelValue(value: string): string {
  return HAS_LABEL_ESCAPE.test(value) ? escapeText(value).replace(/"/g, '\\"') : value;
}
const HAS_LABEL_ESCAPE = /[\\\n"]/;

/** A sample's value as prom-client writes it (`Nan`, `+Inf`, `-Inf`, else JavaScript's). */
function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

/** One scrape's gauges, in the order registered, written as prom-client's Registry.metrics() writes them. */
export class ScrapeRegistry {
  private readonly gauges: ScrapeGauge[] = [];
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;

  readonly gauge: GaugeMaker = (name, help, labelNames = []) => {
    if (this.gauges.some((g) => g.name === name)) throw new Error(`A metric with the name ${name} has already been registered.`);
    const gauge = new ScrapeGauge(name, help, labelNames);
    this.gauges.push(gauge);
    return gauge;
  };

  text(): string {
    const blocks: string[] = [];
    for (const g of this.gauges) {
      const name = escapeText(g.name);
      let block = `# HELP ${name} ${escapeText(g.help)}\n# TYPE ${name} gauge`;
      for (const { labels, value } of g.samples.values()) {
        let pairs = '';
        for (const label in labels) pairs += `${pairs ? ',' : ''}${label}="${escapeLabelValue(labels[label] as string)}"`;
        block += `\n${name}${pairs ? `{${pairs}}` : ''} ${valueText(value)}`;
      }
      blocks.push(block);
    }
    return `${blocks.join('\n\n')}\n`;
  }
}

/** The metrics of one probe, in the text exposition format. */
export function renderProbeMetrics(result: ProbeResult): { body: string; contentType: string } {
  const registry = new ScrapeRegistry();
  writeProbeMetrics(result, registry.gauge);
  return { body: registry.text(), contentType: registry.contentType };
}

/** Registers the metrics of one probe through `gauge` and sets them. */
export function writeProbeMetrics(result: ProbeResult, gauge: GaugeMaker): void {
  gauge('probe_success', 'Whether mail would flow: 1 when at least one path passed (healthy or degraded), else 0').set(
    result.verdict === 'failing' ? 0 : 1,
  );
  gauge('probe_degraded', 'Whether mail would flow but a path failed or a warning holds (1), else 0').set(result.verdict === 'degraded' ? 1 : 0);
  gauge('probe_duration_seconds', 'How long the whole probe took, in seconds').set(seconds(result.durationMs));

  const phases = gauge('probe_phase_duration_seconds', 'Time spent in each stage of the reported path, in seconds', ['phase']);
  const headline = headlinePath(result);
  for (const phase of STAGES) phases.set({ phase }, seconds(headline?.stages.find((s) => s.name === phase)?.ms ?? 0));

  gauge(
    'probe_mailflow_code_info',
    'The code Exchange Online would report ("none" when nothing failed) and where: stage, host and address of the reported path',
    ['code', 'stage', 'host', 'ip'],
  ).set(
    {
      code: result.code ?? 'none',
      stage: result.code ? (headline?.failure?.stage ?? result.diagnosis?.stage ?? '') : '',
      host: headline?.host ?? '',
      ip: headline?.ip ?? '',
    },
    1,
  );

  addBlackboxMetrics(gauge, result, headline);

  const paths = gauge('probe_path_success', 'Per path (host × address): 1 when it passed, else 0', ['host', 'ip']);
  for (const p of result.paths) paths.set({ host: p.host, ip: p.ip ?? '' }, p.verdict === 'failing' ? 0 : 1);
  gauge('probe_paths', 'How many paths (host × address) were probed').set(result.paths.length);
}

/** blackbox_exporter's ipHash (prober/utils.go): FNV-1a 32 over the address's 4 or 16 bytes. */
export function ipAddrHash(ip: string): number {
  let parsed = ipaddr.parse(ip);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  let hash = 0x811c9dc5;
  for (const byte of parsed.toByteArray()) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** `TLSv1.3` (OpenSSL's name) as blackbox_exporter labels it: `TLS 1.3`. */
export function tlsVersionLabel(protocol: string): string {
  const m = /^TLSv(\d(?:\.\d)?)$/.exec(protocol);
  return m ? `TLS ${m[1]!.includes('.') ? m[1] : `${m[1]}.0`}` : protocol;
}

/** A distinguished name as Go's pkix.Name.String() writes it: `CN=…,O=…`, no space after commas. */
function goDn(dn: string): string {
  return dn.split(', ').join(',');
}

/** Go's `%x` of a serial number: lower-case hex without leading zeros. */
function goSerial(serial: string): string {
  return serial.replace(/[^0-9a-f]/gi, '').toLowerCase().replace(/^0+(?=.)/, '');
}

/**
 * The metrics named as blackbox_exporter names them, for the reported path (the headline
 * failing path, else the first): address family and hash, DNS time, TLS version and
 * cipher, the certificate chain's expiry and identity.
 */
function addBlackboxMetrics(gauge: GaugeMaker, result: ProbeResult, headline: PathResult | undefined): void {
  gauge('probe_dns_lookup_time_seconds', 'Returns the time taken for probe dns lookup in seconds').set(
    seconds(headline?.stages.find((s) => s.name === 'dns')?.ms ?? 0),
  );
  if (headline?.family) gauge('probe_ip_protocol', 'Specifies whether probe ip protocol is IP4 or IP6').set(headline.family);
  if (headline?.ip) gauge('probe_ip_addr_hash', "Specifies the hash of IP address. It's useful to detect if the IP address changes.").set(ipAddrHash(headline.ip));

  const first = earliestExpiry(result);
  if (first) {
    gauge('probe_ssl_earliest_cert_expiry', 'Returns earliest SSL cert expiry in unixtime (of every certificate the smart hosts sent)').set(
      Math.floor(Date.parse(first.validTo) / 1000),
    );
  }
  const check = headline?.certificate;
  const leaf = check?.chain[0];
  if (check && leaf) {
    // The chain as verified, trust anchor included: it lives as long as its shortest-lived member.
    if (check.trusted) {
      gauge('probe_ssl_last_chain_expiry_timestamp_seconds', 'Returns last SSL chain expiry in timestamp').set(
        Math.floor(Math.min(...check.chain.map((c) => Date.parse(c.validTo))) / 1000),
      );
    }
    gauge('probe_ssl_last_chain_info', 'Contains SSL leaf certificate information', ['fingerprint_sha256', 'subject', 'issuer', 'subjectalternative', 'serialnumber']).set(
      {
        fingerprint_sha256: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
        subject: goDn(leaf.subject),
        issuer: goDn(leaf.issuer),
        subjectalternative: leaf.names.join(','),
        serialnumber: goSerial(leaf.serialNumber),
      },
      1,
    );
  }
  const versions = new Set(result.paths.map((p) => p.tls?.protocol).filter((v): v is string => Boolean(v)));
  if (versions.size) {
    const info = gauge('probe_tls_version_info', 'Returns the TLS version used or NaN when unknown', ['version']);
    for (const version of versions) info.set({ version: tlsVersionLabel(version) }, 1);
  }
  const ciphers = new Set(result.paths.map((p) => p.tls?.cipher).filter((c): c is string => Boolean(c)));
  if (ciphers.size) {
    const info = gauge('probe_tls_cipher_info', 'Returns the TLS cipher negotiated during handshake', ['cipher']);
    for (const cipher of ciphers) info.set({ cipher }, 1);
  }
}

/**
 * `mailflow_probe_build_info{version,nodeversion,platform,arch} 1` in the exporter's own
 * registry, as every Prometheus exporter exposes its build (blackbox_exporter_build_info).
 */
export function registerBuildInfo(registry: Registry): void {
  new Gauge({
    name: 'mailflow_probe_build_info',
    help: 'A metric with a constant 1 value labelled by the version of mailflow-probe and the Node.js it runs on',
    labelNames: ['version', 'nodeversion', 'platform', 'arch'],
    registers: [registry],
  }).set({ version: VERSION, nodeversion: process.version, platform: process.platform, arch: process.arch }, 1);
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
