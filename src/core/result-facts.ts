/**
 * Facts that several reporters read off a ProbeResult the same way (the Nagios line, the
 * exporter's metrics, the status page's detail view): which path is reported, and when
 * the first certificate expires. Pure.
 */
import type { CertificateSummary } from '../../probes/certificate.js';
import type { PathResult, ProbeResult } from './result.js';

/** The path whose stages and code are reported: the headline failing path, else the first. */
export function headlinePath(result: ProbeResult): PathResult | undefined {
  return result.paths.find((p) => p.verdict === 'failing' && p.code) ?? result.paths[0];
}

/** The certificates the smart hosts sent (trust anchors the prober added are not sent). */
export function sentCertificates(result: ProbeResult): CertificateSummary[] {
  return result.paths.flatMap((p) => (p.certificate?.chain ?? []).filter((c) => !c.anchor));
}

/** The certificate of any path that expires first, or null when no path got one. */
export function earliestExpiry(result: ProbeResult): CertificateSummary | null {
  const sent = sentCertificates(result);
  return sent.length ? sent.reduce((a, b) => (Date.parse(b.validTo) < Date.parse(a.validTo) ? b : a)) : null;
}

/**
 * Milliseconds as seconds without binary float noise (`0.0191`, not `0.019100000000000002`):
 * microsecond precision, which is finer than any stage is timed.
 */
export function seconds(ms: number): number {
  return Math.round(ms * 1000) / 1e6;
}
