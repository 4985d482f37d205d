import type { CertificateCheck, CertificateSummary } from '../../probes/certificate.js';
import { en, type Catalog } from '../catalog/en.js';
import { textOf } from '../catalog/probe-text.js';
import { reportText, type ReportText } from '../catalog/report-text.js';
import { terminalSafe } from './sanitize.js';

/** Fills `{name}` placeholders (as src/report/text.ts fill, which imports this module). */
const put = (template: string, values: Record<string, string | number>): string => template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));

/** `RSA 2048`, `EC 256 (prime256v1)`, `ED25519`. */
function keyText(cert: CertificateSummary, r: ReportText): string {
  const type = (cert.keyType ?? r.unknownKey).toUpperCase();
  const bits = cert.keyBits ? ` ${cert.keyBits}` : '';
  return `${type}${bits}${cert.curve ? ` (${cert.curve})` : ''}`;
}

/** `12 days left`, `expired 699 days ago` (never "-699 days left"). */
export function daysText(days: number, catalog: Pick<Catalog, 'language'> = en): string {
  const r = reportText(catalog);
  if (days < 0) return put(days === -1 ? r.expiredDayAgo : r.expiredDaysAgo, { days: -days });
  return put(days === 1 ? r.dayLeft : r.daysLeft, { days });
}

/**
 * The certificate lines of one path in the text report: every certificate of the chain
 * (what it is, who issued it, its names, validity, key, signature, serial and thumbprints,
 * as Exchange shows `Thumbprint:`), then the revocation status. Pure; the certificate's
 * fields are escaped for the terminal (a subject can carry any character).
 */
export function certificateLines(remote: CertificateCheck, indent = 4, catalog: Catalog = en): string[] {
  const check = terminalSafe(remote);
  const t = reportText(catalog);
  const pad = ' '.repeat(indent);
  const out: string[] = [`${pad}${check.trusted ? t.chainTrusted : put(t.chainNotTrusted, { error: check.verifyError ?? t.unknownError })}`];
  const width = Math.max(11, ...[t.names, t.issuer, t.valid, t.key, t.serial, t.thumbprint].map((l) => l.length + 1));
  check.chain.forEach((cert, i) => {
    const role = cert.anchor ? t.trustAnchor : i === 0 ? t.leaf : cert.selfIssued ? t.rootSent : t.intermediate;
    out.push(`${pad}  [${i}] ${cert.subject} (${role})`);
    const field = (label: string, text: string): void => {
      out.push(`${pad}      ${label.padEnd(width)}${text}`);
    };
    if (i === 0) field(t.names, cert.names.join(', ') || t.noNames);
    field(t.issuer, cert.issuer);
    field(t.valid, `${cert.validFrom.slice(0, 10)} → ${cert.validTo.slice(0, 10)} (${daysText(cert.daysLeft, catalog)})`);
    field(t.key, `${keyText(cert, t)} · ${t.signed} ${cert.signatureAlgorithm}`);
    field(t.serial, cert.serialNumber);
    field(t.thumbprint, cert.thumbprint);
    field('sha-256', cert.fingerprint256);
  });
  const r = check.revocation;
  const status = (s: string): string => t.revocationStatus[s] ?? s;
  const detail = (x: { detail: string; detailId?: Parameters<typeof textOf>[1]; detailArgs?: Parameters<typeof textOf>[2] }): string => textOf(x.detail, x.detailId, x.detailArgs, catalog);
  if (r) out.push(`${pad}  ${put(t.revocation, { status: status(r.status) })}${r.source ? ` (${r.source})` : ''}: ${detail(r)}`);
  for (const i of r?.intermediates ?? []) out.push(`${pad}  ${put(t.revocationOf, { subject: i.subject, status: status(i.status) })}${i.source ? ` (${i.source})` : ''}: ${detail(i)}`);
  return out;
}
