/**
 * The pre-migration checklist: what a ProbeResult says about each item Exchange Online
 * needs from a smart host, path by path, each item passing, warning or failing, with the fix.
 * Pure: a function of the result and the settings, no I/O, no clock.
 */
import type { TlsMode } from '../../probes/stage.js';
import { commandWords, type CommandWords } from '../catalog/commands.js';
import { catalogFor, type Language } from '../catalog/index.js';
import { stageDetail, warningText } from '../catalog/probe-text.js';
import type { Catalog } from '../catalog/en.js';
import type { PathResult, ProbeResult } from '../core/result.js';
import { fill } from '../report/text.js';

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
  /** The language of titles, details and fixes (default English, as the JSON report). */
  language?: Language;
}

const ORDER: Record<CheckStatus, number> = { skip: 0, pass: 1, warn: 2, fail: 3 };

/** The worse of two statuses: fail > warn > pass > skip. */
export function worst(a: CheckStatus, b: CheckStatus): CheckStatus {
  return ORDER[a] >= ORDER[b] ? a : b;
}

/** Bytes as Exchange writes sizes: `36 MB (37,748,736 bytes)`; Exchange's MB is 1 048 576 bytes. In pt-BR: `1,5 MB (1.572.864 bytes)`. */
export function formatBytes(bytes: number, language: Language = 'en'): string {
  const mb = bytes / 1048576;
  const locale = language === 'pt-BR' ? 'pt-BR' : 'en-US';
  const short = `${Number.isInteger(mb) ? String(mb) : mb.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MB`;
  return fill(commandWords(language).checklist.bytes, { short, bytes: bytes.toLocaleString(locale) });
}


/** The fixes, worded for the administrator; `{…}` placeholders are filled per connector. */
function fixFor(id: CheckId, mode: TlsMode, tlsDomain: string | null, settings: ChecklistSettings, result: ProbeResult): string {
  const language = settings.language ?? 'en';
  const f = commandWords(language).checklist.fixes;
  const size = formatBytes(settings.maxMessageSize, language);
  switch (id) {
    case 'resolves':
      return f.resolves;
    case 'reachable':
      return f.reachable;
    case 'greets':
      return f.greets;
    case 'starttls':
      return mode === 'opportunistic' ? f.starttlsOpportunistic : fill(f.starttlsRequired, { mode });
    case 'tls-version':
      return f.tlsVersion;
    case 'certificate':
      // The probe's own first fix (diagnosis.firstFix) heads the connector's fixes
      // (verify/run.ts): not repeated here.
      return tlsDomain ? fill(f.certificateDomain, { domain: tlsDomain }) : f.certificate;
    case 'certificate-expiry':
      return fill(f.certificateExpiry, { days: settings.warnDays });
    case 'size': {
      const limits = result.paths.map((p) => (p.capabilitiesAfterTls ?? p.capabilities)?.size);
      if (limits.some((limit) => typeof limit === 'number' && limit > 0 && limit < settings.maxMessageSize)) return fill(f.sizeRaise, { size });
      // No SIZE at all: nothing to raise. RFC 1870 makes the keyword optional; Exchange
      // Online sends regardless, and only a bounce would reveal the server's limit.
      return fill(f.sizeUnknown, { size });
    }
    case '8bitmime':
      return f.eightBitMime;
    case 'smtputf8':
      return f.smtpUtf8;
    case 'recipient':
      return f.recipient;
    case 'test-message':
      return f.testMessage;
  }
}

type Judge = (p: PathResult) => Omit<PathCheck, 'host' | 'ip'>;

function stageOf(p: PathResult, name: string) {
  return p.stages.find((s) => s.name === name);
}

/** The per-path judges, in checklist order, worded in the settings' language. */
function judges(mode: TlsMode, settings: ChecklistSettings): [CheckId, Judge][] {
  const language = settings.language ?? 'en';
  const words: CommandWords = commandWords(language);
  const w = words.checklist;
  const catalog: Catalog = catalogFor(language);
  const detail = (p: PathResult, name: string): string => {
    const stage = stageOf(p, name);
    return stage ? stageDetail(stage, catalog) : '';
  };
  const skip = (why: string) => ({ status: 'skip' as const, detail: fill(w.notReached, { why }) });
  const earlier = (p: PathResult): string => (p.failure ? fill(w.stageFailed, { stage: words.stages[p.failure.stage] }) : w.earlierNotRun);
  const opportunistic = mode === 'opportunistic';
  const validates = mode === 'certificate-validation' || mode === 'domain-validation';
  const caps = (p: PathResult) => p.capabilitiesAfterTls ?? p.capabilities;
  const fallback = (p: PathResult) => p.warnings.find((x) => x.kind === 'tls-fallback');
  const size = (bytes: number): string => formatBytes(bytes, language);
  return [
    [
      'resolves',
      (p) => {
        const dns = stageOf(p, 'dns');
        if (!dns) return { status: 'pass', detail: w.ipAddress };
        return { status: dns.ok ? 'pass' : 'fail', detail: detail(p, 'dns') };
      },
    ],
    [
      'reachable',
      (p) => {
        const tcp = stageOf(p, 'tcp');
        if (!tcp) return skip(earlier(p));
        return { status: tcp.ok ? 'pass' : 'fail', detail: detail(p, 'tcp') };
      },
    ],
    [
      'greets',
      (p) => {
        const banner = stageOf(p, 'banner');
        const ehlo = stageOf(p, 'ehlo');
        if (!banner) return skip(earlier(p));
        if (!banner.ok) return { status: 'fail', detail: detail(p, 'banner') };
        if (!ehlo) return skip(earlier(p));
        return { status: ehlo.ok ? 'pass' : 'fail', detail: ehlo.ok ? fill(w.ehloAccepted, { banner: detail(p, 'banner') }) : detail(p, 'ehlo') };
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
            ? { status: 'pass', detail: w.starttlsPlain }
            : { status: 'fail', detail: st ? detail(p, 'starttls') : fill(w.starttlsMissing, { mode }) };
        }
        if (st && !st.ok) return { status: opportunistic ? 'warn' : 'fail', detail: detail(p, 'starttls') };
        return { status: 'pass', detail: st ? detail(p, 'starttls') : w.starttlsOffered };
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
        if (t && !t.ok) {
          const warning = fallback(p);
          return { status: opportunistic ? 'warn' : 'fail', detail: warning ? warningText(warning, catalog) : detail(p, 'tls') };
        }
        return skip(p.capabilities && !p.capabilities.starttls ? w.noStarttls : earlier(p));
      },
    ],
    [
      'certificate',
      (p) => {
        const stage = stageOf(p, 'certificate');
        if (stage && !stage.ok) return { status: opportunistic ? 'warn' : 'fail', detail: detail(p, 'certificate') };
        const cert = p.certificate;
        if (!cert) return skip(p.tls ? earlier(p) : w.noTls);
        if (validates) {
          return { status: 'pass', detail: cert.requiredName ? fill(w.trustedMatches, { name: cert.requiredName }) : w.trusted };
        }
        const leaf = cert.chain[0];
        const names = leaf?.names.join(', ') || w.noNames;
        return {
          status: 'pass',
          detail: cert.trusted
            ? fill(w.notRequiredTrusted, { mode, names })
            : fill(w.notRequiredUntrusted, { mode, error: cert.verifyError ?? w.untrusted, names }),
        };
      },
    ],
    [
      'certificate-expiry',
      (p) => {
        const sent = p.certificate?.chain.filter((c) => !c.anchor) ?? [];
        if (!sent.length) return skip(p.certificate ? w.noCertificate : p.tls ? earlier(p) : w.noTls);
        const first = sent.reduce((a, b) => (b.daysLeft < a.daysLeft ? b : a));
        const date = first.validTo.slice(0, 10);
        const when = first.daysLeft < 0 ? fill(w.expiredOn, { subject: first.subject, date }) : fill(w.expiresOn, { subject: first.subject, date, days: first.daysLeft });
        if (first.daysLeft < 0 && validates) return { status: 'fail', detail: when };
        // Whether it warns is the probe's judgement (src/judge.ts), as in every other door.
        if (p.warnings.some((x) => x.kind === 'certificate-expiring')) return { status: 'warn', detail: fill(w.withinHorizon, { when, days: settings.warnDays }) };
        if (!validates && first.daysLeft < settings.warnDays) return { status: 'pass', detail: fill(w.noteOnly, { when, mode }) };
        return { status: 'pass', detail: when };
      },
    ],
    [
      'size',
      (p) => {
        const c = caps(p);
        if (!c) return skip(earlier(p));
        if (c.size === 0) return { status: 'pass', detail: w.sizeZero };
        if (c.size === null) return { status: 'warn', detail: w.sizeUnknown };
        if (c.size < settings.maxMessageSize) return { status: 'warn', detail: fill(w.sizeSmall, { size: size(c.size), max: size(settings.maxMessageSize) }) };
        return { status: 'pass', detail: fill(w.sizeOk, { size: size(c.size), max: size(settings.maxMessageSize) }) };
      },
    ],
    [
      '8bitmime',
      (p) => {
        const c = caps(p);
        if (!c) return skip(earlier(p));
        return c.eightBitMime ? { status: 'pass', detail: w.eightBitMimeOk } : { status: 'warn', detail: w.eightBitMimeMissing };
      },
    ],
    [
      'smtputf8',
      (p) => {
        const c = caps(p);
        if (!c) return skip(earlier(p));
        return c.smtpUtf8 ? { status: 'pass', detail: w.smtpUtf8Ok } : { status: 'warn', detail: w.smtpUtf8Missing };
      },
    ],
  ];
}

/** Folds per-path outcomes into one item: the worst status, and that path's detail. */
export function aggregate(id: CheckId, paths: PathCheck[], fix: string, language: Language = 'en'): Check {
  const words = commandWords(language);
  const status = paths.reduce<CheckStatus>((acc, p) => worst(acc, p.status), 'skip');
  const first = paths.find((p) => p.status === status);
  const distinct = new Set(paths.map((p) => p.detail));
  const where = first && (status === 'warn' || status === 'fail') && paths.length > 1 && distinct.size > 1 ? `${first.host}${first.ip && first.ip !== first.host ? ` ${first.ip}` : ''}: ` : '';
  const detail = first ? `${where}${first.detail}` : words.checklist.noPath;
  return { id, title: words.checklist.titles[id], status, detail, fix: status === 'warn' || status === 'fail' ? fix : null, paths };
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
      settings.language,
    ),
  );
}

/** A check for one of the optional envelope tests, from per-path outcomes. */
export function envelopeCheck(id: 'recipient' | 'test-message', paths: PathCheck[], result: ProbeResult, settings: ChecklistSettings): Check {
  return aggregate(id, paths, fixFor(id, result.tlsMode, result.tlsDomain, settings, result), settings.language);
}
