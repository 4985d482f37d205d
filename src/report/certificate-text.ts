import type { CertificateCheck, CertificateSummary } from '../../probes/certificate.js';
import { terminalSafe } from './sanitize.js';

/** `RSA 2048`, `EC 256 (prime256v1)`, `ED25519`. */
function keyText(cert: CertificateSummary): string {
  const type = (cert.keyType ?? 'unknown key').toUpperCase();
  const bits = cert.keyBits ? ` ${cert.keyBits}` : '';
  return `${type}${bits}${cert.curve ? ` (${cert.curve})` : ''}`;
}

/** `12 days left`, `expired 699 days ago` (never "-699 days left"). */
export function daysText(days: number): string {
  if (days < 0) return `expired ${-days} day${days === -1 ? '' : 's'} ago`;
  return `${days} day${days === 1 ? '' : 's'} left`;
}

/**
 * The certificate lines of one path in the text report: every certificate of the chain
 * (what it is, who issued it, its names, validity, key, signature, serial and thumbprints,
 * as Exchange shows `Thumbprint:`), then the revocation status. Pure; the certificate's
 * fields are escaped for the terminal (a subject can carry any character).
 */
export function certificateLines(remote: CertificateCheck, indent = 4): string[] {
  const check = terminalSafe(remote);
  const pad = ' '.repeat(indent);
  const out: string[] = [`${pad}certificate chain (${check.trusted ? 'trusted' : `not trusted: ${check.verifyError ?? 'unknown'}`}):`];
  check.chain.forEach((cert, i) => {
    const role = cert.anchor ? 'trust anchor, not sent' : i === 0 ? 'leaf' : cert.selfIssued ? 'root, sent' : 'intermediate';
    out.push(`${pad}  [${i}] ${cert.subject} (${role})`);
    const field = (label: string, text: string): void => {
      out.push(`${pad}      ${label.padEnd(11)}${text}`);
    };
    if (i === 0) field('names', cert.names.join(', ') || '(none)');
    field('issuer', cert.issuer);
    field('valid', `${cert.validFrom.slice(0, 10)} → ${cert.validTo.slice(0, 10)} (${daysText(cert.daysLeft)})`);
    field('key', `${keyText(cert)} · signed ${cert.signatureAlgorithm}`);
    field('serial', cert.serialNumber);
    field('thumbprint', cert.thumbprint);
    field('sha-256', cert.fingerprint256);
  });
  const r = check.revocation;
  if (r) out.push(`${pad}  revocation ${r.status}${r.source ? ` (${r.source})` : ''}: ${r.detail}`);
  for (const i of r?.intermediates ?? []) out.push(`${pad}  revocation of ${i.subject}: ${i.status}${i.source ? ` (${i.source})` : ''}: ${i.detail}`);
  return out;
}
