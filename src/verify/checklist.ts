/**
 * The pre-migration checklist: what a ProbeResult says about each item Exchange Online
 * needs from a smart host, path by path, each item passing, warning or failing, with the fix.
 * Pure: a function of the result and the settings, no I/O, no clock.
 */
import type { TlsMode } from '../../probes/stage.js';
import type { PathResult, ProbeResult } from '../core/result.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export type CheckId =
  | 'resolves'
  | 'reachable'
  | 'greets'
  | 'starttls'
  | 'tls-version'
  | 'certificate'
  | 'certificate-expiry'
  | 'size'
  | '8bitmime'
  | 'smtputf8'
  | 'recipient'
  | 'test-message';

/** One item for one path. */
export interface PathCheck {
  host: string;
  ip: string | null;
  status: CheckStatus;
  detail: string;
}

/** One item of the checklist across every path of a connector; its status is the worst path's. */
export interface Check {
  id: CheckId;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do when the item warns or fails; null when it passes. */
  fix: string | null;
  paths: PathCheck[];
}

export interface ChecklistSettings {
  /** Exchange Online's maximum message size the smart host must accept, in bytes. */
  maxMessageSize: number;
  /** Warn when a certificate expires within this many days. */
  warnDays: number;
}

const ORDER: Record<CheckStatus, number> = { skip: 0, pass: 1, warn: 2, fail: 3 };

/** The worse of two statuses: fail > warn > pass > skip. */
export function worst(a: CheckStatus, b: CheckStatus): CheckStatus {
  return ORDER[a] >= ORDER[b] ? a : b;
}

/** Bytes as Exchange writes sizes: `36 MB (37,748,736 bytes)`; Exchange's MB is 1 048 576 bytes. */
export function formatBytes(bytes: number): string {
  const mb = bytes / 1048576;
  const short = Number.isInteger(mb) ? `${mb} MB` : `${mb.toFixed(1)} MB`;
  return `${short} (${bytes.toLocaleString('en-US')} bytes)`;
}

const TITLES: Record<CheckId, string> = {
  resolves: 'Resolves',
  reachable: 'Reachable on TCP 25 at every address',
  greets: 'Greets and answers EHLO without error',
  starttls: 'Offers STARTTLS',
  'tls-version': 'TLS 1.2 or later',
  certificate: 'Certificate trusted and matching TlsDomain',
  'certificate-expiry': 'Certificate valid beyond the warning horizon',
  size: "SIZE at least Exchange Online's maximum message size",
  '8bitmime': '8BITMIME advertised',
  smtputf8: 'SMTPUTF8 advertised',
  recipient: 'Accepts a recipient (MAIL FROM / RCPT TO / RSET)',
  'test-message': 'Accepts a test message',
};

/** The fixes, worded for the administrator; `{…}` placeholders are filled per connector. */
function fixFor(id: CheckId, mode: TlsMode, tlsDomain: string | null, settings: ChecklistSettings, result: ProbeResult): string {
  switch (id) {
    case 'resolves':
      return "Fix the smart host's DNS records (MX, A/AAAA) with the DNS host, or correct the connector's SmartHosts / RecipientDomains.";
    case 'reachable':
      return "Allow Microsoft 365's outbound IP ranges to reach TCP 25 on every address (firewall, NAT, ACL), or remove the dead address from DNS or the connector.";
    case 'greets':
      return "Make the server greet with 220 and accept EHLO from Microsoft 365's addresses (connection filtering, receive connector RemoteIPRanges, SMTP inspection on the firewall).";
    case 'starttls':
      return mode === 'opportunistic'
        ? 'Enable STARTTLS on the server with a certificate, or mail through this connector travels unencrypted.'
        : `Enable STARTTLS on the server: the connector requires TLS (${mode}); without it Exchange Online queues mail with 450 4.4.317.`;
    case 'tls-version':
      return 'Enable TLS 1.2 (or 1.3) on the server: Exchange Online never uses TLS 1.0 or 1.1.';
    case 'certificate':
      // The probe's own first fix (diagnosis.firstFix) heads the connector's fixes
      // (verify/run.ts): not repeated here.
      return tlsDomain
        ? `Install a certificate from a public CA, sent with its full chain, whose names cover ${tlsDomain}; or change the connector's TlsDomain to a name the certificate carries.`
        : 'Install a certificate from a public CA and send the full chain (leaf and intermediates).';
    case 'certificate-expiry':
      return `Renew the certificate before it expires (the warning horizon is ${settings.warnDays} days); install the renewed one on every smart host.`;
    case 'size': {
      const limits = result.paths.map((p) => (p.capabilitiesAfterTls ?? p.capabilities)?.size);
      if (limits.some((size) => typeof size === 'number' && size > 0 && size < settings.maxMessageSize)) {
        return `Raise the smart host's message size limit to at least ${formatBytes(settings.maxMessageSize)} (Exchange: Set-ReceiveConnector -MaxMessageSize and Set-TransportConfig -MaxReceiveSize; Postfix: message_size_limit), or pass --max-message-size with your tenant's real limit.`;
      }
      // No SIZE at all: nothing to raise. RFC 1870 makes the keyword optional; Exchange
      // Online sends regardless, and only a bounce would reveal the server's limit.
      return `The smart host does not advertise SIZE (RFC 1870): Exchange Online sends anyway, but the server may still reject large messages; make sure it accepts at least ${formatBytes(settings.maxMessageSize)}, and advertising SIZE makes the limit visible.`;
    }
    case '8bitmime':
      return 'Enable 8BITMIME (RFC 6152) on the server; without it Exchange Online must down-convert 8-bit messages to 7-bit.';
    case 'smtputf8':
      return 'Enable SMTPUTF8 (RFC 6531) on the server, or mail to and from internationalized addresses cannot be delivered through this connector.';
    case 'recipient':
      return 'Make the server accept mail for the recipient domain from Microsoft 365 (accepted domains, relay rules, recipient validation).';
    case 'test-message':
      return 'Look up the reply in the server\'s log: it must accept the message from Microsoft 365 (size, content filtering, relay rules).';
  }
}

type Judge = (p: PathResult) => Omit<PathCheck, 'host' | 'ip'>;

function stageOf(p: PathResult, name: string) {
  return p.stages.find((s) => s.name === name);
}

const skip = (why: string) => ({ status: 'skip' as const, detail: `not reached (${why})` });

function earlier(p: PathResult): string {
  return p.failure ? `${p.failure.stage} failed` : 'an earlier stage did not run';
}

/** The per-path judges, in checklist order. */
function judges(mode: TlsMode, settings: ChecklistSettings): [CheckId, Judge][] {
  const opportunistic = mode === 'opportunistic';
  const validates = mode === 'certificate-validation' || mode === 'domain-validation';
  const caps = (p: PathResult) => p.capabilitiesAfterTls ?? p.capabilities;
  const fallback = (p: PathResult) => p.warnings.find((w) => w.kind === 'tls-fallback');
  return [
    [
      'resolves',
      (p) => {
        const dns = stageOf(p, 'dns');
        if (!dns) return { status: 'pass', detail: 'an IP address: nothing to look up' };
        return { status: dns.ok ? 'pass' : 'fail', detail: dns.detail };
      },
    ],
    [
      'reachable',
      (p) => {
        const tcp = stageOf(p, 'tcp');
        if (!tcp) return skip(earlier(p));
        return { status: tcp.ok ? 'pass' : 'fail', detail: tcp.detail };
      },
    ],
    [
      'greets',
      (p) => {
        const banner = stageOf(p, 'banner');
        const ehlo = stageOf(p, 'ehlo');
        if (!banner) return skip(earlier(p));
        if (!banner.ok) return { status: 'fail', detail: banner.detail };
        if (!ehlo) return skip(earlier(p));
        return { status: ehlo.ok ? 'pass' : 'fail', detail: ehlo.ok ? `${banner.detail}; EHLO accepted` : ehlo.detail };
      },
    ],
    [
      'starttls',
      (p) => {
        const c = p.capabilities;
        if (!c) return skip(earlier(p));
        const st = stageOf(p, 'starttls');
        if (!c.starttls) {
          // Issue 14: plaintext is what an opportunistic connector (TlsSettings $null) allows: a note, no warning.
          return opportunistic
            ? { status: 'pass', detail: 'STARTTLS is not offered: mail goes unencrypted, as an opportunistic connector allows' }
            : { status: 'fail', detail: st?.detail ?? `STARTTLS is not offered but the connector requires TLS (${mode})` };
        }
        if (st && !st.ok) return { status: opportunistic ? 'warn' : 'fail', detail: st.detail };
        return { status: 'pass', detail: st?.detail ?? 'STARTTLS offered' };
      },
    ],
    [
      'tls-version',
      (p) => {
        if (p.tls?.protocol) {
          const ok = /^TLSv1\.[23]$/.test(p.tls.protocol);
          return { status: ok ? 'pass' : 'fail', detail: `${p.tls.protocol}${p.tls.cipher ? ` ${p.tls.cipher}` : ''}` };
        }
        const t = stageOf(p, 'tls');
        if (t && !t.ok) return { status: opportunistic ? 'warn' : 'fail', detail: fallback(p)?.message ?? t.detail };
        return skip(p.capabilities && !p.capabilities.starttls ? 'no STARTTLS' : earlier(p));
      },
    ],
    [
      'certificate',
      (p) => {
        const stage = stageOf(p, 'certificate');
        if (stage && !stage.ok) return { status: opportunistic ? 'warn' : 'fail', detail: stage.detail };
        const cert = p.certificate;
        if (!cert) return skip(p.tls ? earlier(p) : 'no TLS');
        if (validates) {
          return { status: 'pass', detail: cert.requiredName ? `trusted; matches ${cert.requiredName}` : 'trusted' };
        }
        const leaf = cert.chain[0];
        const names = leaf?.names.join(', ') || '(no names)';
        return {
          status: 'pass',
          detail: cert.trusted
            ? `not required by ${mode}; the chain is trusted (${names})`
            : `not required by ${mode}; note the chain would not validate (${cert.verifyError ?? 'untrusted'}; ${names})`,
        };
      },
    ],
    [
      'certificate-expiry',
      (p) => {
        const sent = p.certificate?.chain.filter((c) => !c.anchor) ?? [];
        if (!sent.length) return skip(p.certificate ? 'no certificate' : p.tls ? earlier(p) : 'no TLS');
        const first = sent.reduce((a, b) => (b.daysLeft < a.daysLeft ? b : a));
        const when = first.daysLeft < 0 ? `${first.subject} expired on ${first.validTo.slice(0, 10)}` : `${first.subject} expires ${first.validTo.slice(0, 10)} (${first.daysLeft} days)`;
        if (first.daysLeft < 0 && validates) return { status: 'fail', detail: when };
        // Whether it warns is the probe's judgement (src/judge.ts), as in every other door.
        if (p.warnings.some((w) => w.kind === 'certificate-expiring')) return { status: 'warn', detail: `${when}: within the ${settings.warnDays}-day horizon` };
        if (!validates && first.daysLeft < settings.warnDays) {
          return { status: 'pass', detail: `${when}: a note only, ${mode} does not validate the certificate and Exchange Online delivers regardless` };
        }
        return { status: 'pass', detail: when };
      },
    ],
    [
      'size',
      (p) => {
        const c = caps(p);
        if (!c) return skip(earlier(p));
        if (c.size === 0) return { status: 'pass', detail: 'SIZE 0: no fixed limit (RFC 1870)' };
        if (c.size === null) return { status: 'warn', detail: 'SIZE is not advertised: the limit is unknown until a large message bounces' };
        if (c.size < settings.maxMessageSize) {
          return {
            status: 'warn',
            detail: `the server accepts at most ${formatBytes(c.size)}, less than Exchange Online's ${formatBytes(settings.maxMessageSize)}: messages between the two would be rejected`,
          };
        }
        return { status: 'pass', detail: `SIZE ${formatBytes(c.size)} ≥ ${formatBytes(settings.maxMessageSize)}` };
      },
    ],
    [
      '8bitmime',
      (p) => {
        const c = caps(p);
        if (!c) return skip(earlier(p));
        return c.eightBitMime ? { status: 'pass', detail: '8BITMIME advertised' } : { status: 'warn', detail: '8BITMIME is not advertised' };
      },
    ],
    [
      'smtputf8',
      (p) => {
        const c = caps(p);
        if (!c) return skip(earlier(p));
        return c.smtpUtf8 ? { status: 'pass', detail: 'SMTPUTF8 advertised' } : { status: 'warn', detail: 'SMTPUTF8 is not advertised' };
      },
    ],
  ];
}

/** Folds per-path outcomes into one item: the worst status, and that path's detail. */
export function aggregate(id: CheckId, paths: PathCheck[], fix: string): Check {
  const status = paths.reduce<CheckStatus>((acc, p) => worst(acc, p.status), 'skip');
  const first = paths.find((p) => p.status === status);
  const distinct = new Set(paths.map((p) => p.detail));
  const where = first && (status === 'warn' || status === 'fail') && paths.length > 1 && distinct.size > 1 ? `${first.host}${first.ip && first.ip !== first.host ? ` ${first.ip}` : ''}: ` : '';
  const detail = first ? `${where}${first.detail}` : 'no path';
  return { id, title: TITLES[id], status, detail, fix: status === 'warn' || status === 'fail' ? fix : null, paths };
}

/**
 * The checklist of one connector's probe result: every item, for every path.
 *
 * @example
 * ```ts
 * const checks = checklist(await probe('mail.contoso.com'), { maxMessageSize: 37748736, warnDays: 30 });
 * for (const c of checks) console.log(c.status, c.title, c.detail);
 * ```
 */
export function checklist(result: ProbeResult, settings: ChecklistSettings): Check[] {
  return judges(result.tlsMode, settings).map(([id, judge]) =>
    aggregate(
      id,
      result.paths.map((p) => ({ host: p.host, ip: p.ip, ...judge(p) })),
      fixFor(id, result.tlsMode, result.tlsDomain, settings, result),
    ),
  );
}

/** A check for one of the optional envelope tests, from per-path outcomes. */
export function envelopeCheck(id: 'recipient' | 'test-message', paths: PathCheck[], result: ProbeResult, settings: ChecklistSettings): Check {
  return aggregate(id, paths, fixFor(id, result.tlsMode, result.tlsDomain, settings, result));
}
