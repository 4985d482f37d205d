/**
 * The one judgement (src/judge.ts), table-driven and without a socket: session facts +
 * settings → the path's verdict, code and warning kinds; paths → the probe's verdict and
 * headline.
 */
import { describe, expect, it } from 'vitest';
import type { CertificateCheck, CertificateSummary } from '../probes/certificate.js';
import type { SessionEvent, SessionFacts } from '../probes/session.js';
import { StageFailure, type StageResult, type TlsMode } from '../probes/stage.js';
import { classify } from '../src/core/classify.js';
import { en } from '../src/catalog/en.js';
import { judgePath, judgeProbe, refuseByPolicy } from '../src/core/judge.js';
import type { PathResult } from '../src/core/result.js';

const place = { host: 'mx1.contoso.test', ip: '127.0.0.1' };

function cert(daysLeft: number, anchor = false): CertificateSummary {
  return {
    subject: anchor ? 'CN=Root' : 'CN=mx1.contoso.test',
    issuer: 'CN=Root',
    names: ['mx1.contoso.test'],
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: '2027-01-01T00:00:00.000Z',
    daysLeft,
    fingerprint256: anchor ? 'AA' : 'BB',
    thumbprint: anchor ? 'AA' : 'BB',
    serialNumber: '01',
    keyType: 'rsa',
    keyBits: 2048,
    curve: null,
    signatureAlgorithm: 'sha256WithRSAEncryption',
    signatureHash: 'sha256',
    crlUrls: [],
    ocspUrls: [],
    isCa: anchor,
    selfIssued: anchor,
    anchor,
  };
}

function facts(o: { failure?: StageFailure; events?: SessionEvent[]; leafDays?: number; certificateOk?: boolean } = {}): SessionFacts {
  const stages: StageResult[] = [{ name: 'tcp', ok: true, ms: 1, detail: '' }];
  const certificate: CertificateCheck | undefined =
    o.leafDays === undefined
      ? undefined
      : { chain: [cert(o.leafDays), cert(-500, true)], trusted: true, verifyError: null, requiredName: null, nameMatches: null, findings: [] };
  if (certificate) stages.push({ name: 'certificate', ok: o.certificateOk ?? true, ms: 1, detail: '' });
  return { stages, transcript: [], events: o.events ?? [], replies: {}, ...(certificate ? { certificate } : {}), ...(o.failure ? { failure: o.failure } : {}) };
}

const settings = (tlsMode: TlsMode) => ({ tlsMode, warnDays: 30, port: 25 });

describe('judgePath', () => {
  it.each([
    ['healthy', 'certificate-validation', facts({ leafDays: 200 }), 'healthy', null, []],
    // Exchange Online validates the certificate only under the validating modes
    ['expiring, certificate-validation', 'certificate-validation', facts({ leafDays: 9 }), 'degraded', null, ['certificate-expiring']],
    ['expiring, domain-validation', 'domain-validation', facts({ leafDays: 9 }), 'degraded', null, ['certificate-expiring']],
    ['expiring, encryption-only', 'encryption-only', facts({ leafDays: 9 }), 'healthy', null, []],
    ['expired, opportunistic', 'opportunistic', facts({ leafDays: -3 }), 'healthy', null, []],
    ['an expired anchor is never judged', 'certificate-validation', facts({ leafDays: 200 }), 'healthy', null, []],
    // Issue 14: mail in the clear is what an opportunistic connector allows — a note, not a warning.
    ['no STARTTLS, opportunistic', 'opportunistic', facts({ events: [{ kind: 'no-tls' }] }), 'healthy', null, []],
    [
      'injection, then a fallback',
      'opportunistic',
      facts({ events: [{ kind: 'starttls-injection', bytes: 7 }, { kind: 'tls-fallback', failure: new StageFailure('tls', 'closed', 'closed') }] }),
      'degraded',
      null,
      ['starttls-injection', 'tls-fallback'],
    ],
    ['refused', 'certificate-validation', facts({ failure: new StageFailure('tcp', 'connect-refused', 'refused') }), 'failing', '4.4.316', []],
    ['a certificate failure carries no expiry warning', 'certificate-validation', facts({ leafDays: 9, certificateOk: false, failure: new StageFailure('certificate', 'certificate', 'x', { reason: 'name-mismatch' }) }), 'failing', '4.7.320', []],
    ['cancelled: failing without a code', 'certificate-validation', facts({ failure: new StageFailure('banner', 'cancelled', 'cancelled by the user') }), 'failing', null, []],
  ] as const)('%s', (_what, mode, f, verdict, code, kinds) => {
    const j = judgePath(settings(mode), place, f);
    expect([j.verdict, j.code, j.warnings.map((w) => w.kind)]).toEqual([verdict, code, kinds]);
    for (const w of j.warnings) expect([w.host, w.ip]).toEqual([place.host, place.ip]);
    if (code) expect(j.message).toMatch(new RegExp(`^450 ${code.replace(/\./g, '\\.')} .*\\[LastAttemptedServerName=mx1\\.contoso\\.test\\] \\[LastAttemptedIP=127\\.0\\.0\\.1:25\\]$`));
    else expect([j.status, j.message]).toEqual([null, null]);
  });

  it('no STARTTLS under opportunistic leaves a note that mail goes unencrypted', () => {
    const j = judgePath(settings('opportunistic'), place, facts({ events: [{ kind: 'no-tls' }] }));
    expect(j.notes).toEqual(['mx1.contoso.test at 127.0.0.1 does not offer STARTTLS: mail goes unencrypted, as an opportunistic connector allows']);
  });

  it.each([
    ['a refusal from outside Microsoft 365', '127.0.0.1', false, new StageFailure('tcp', 'connect-refused', 'refused'), ['failing', '4.4.316', true, false]],
    ['a timeout from outside Microsoft 365', '127.0.0.1', false, new StageFailure('tcp', 'connect-timeout', 'timed out'), ['failing', '4.4.315', true, false]],
    ['a 554 greeting from outside', '127.0.0.1', false, new StageFailure('banner', 'reply', 'x', { reply: { code: 554, lines: ['no'] } }), ['failing', '4.4.317', true, false]],
    ['a refusal from inside Microsoft 365', '40.92.1.2', false, new StageFailure('tcp', 'connect-refused', 'refused'), ['failing', '4.4.316', false, false]],
    ['a certificate failure is no vantage matter', '127.0.0.1', false, new StageFailure('certificate', 'certificate', 'x', { reason: 'expired' }), ['failing', '4.7.320', false, false]],
    ['restricted: a refusal is unverifiable, not failing', '127.0.0.1', true, new StageFailure('tcp', 'connect-refused', 'refused'), ['healthy', null, true, true]],
    ['restricted, from inside: a refusal fails', '2a01:111:f400::25', true, new StageFailure('tcp', 'connect-refused', 'refused'), ['failing', '4.4.316', false, false]],
  ] as const)('%s', (_what, source, restricted, failure, want) => {
    const f = { ...facts({ failure }), sourceAddress: source };
    const j = judgePath({ ...settings('certificate-validation'), restrictedToMicrosoft365: restricted }, place, f);
    expect([j.verdict, j.code, j.outsideMicrosoft365, j.unverifiable]).toEqual(want);
  });

  it("the envelope stages' reply failures are replies like any other (verify's tests, never a connector code of their own)", () => {
    expect(['mail', 'rcpt', 'rset', 'data'].map((stage) => classify({ stage: stage as 'mail', kind: 'reply' }))).toEqual(['4.4.317', '4.4.317', '4.4.317', '4.4.317']);
    expect(classify({ stage: 'rcpt', kind: 'timeout' })).toBe('4.4.318');
  });
});

describe('judgeProbe', () => {
  const path = (verdict: PathResult['verdict'], code: PathResult['code'], ip: string): PathResult => ({
    target: 'mx.contoso.test',
    host: 'mx1.contoso.test',
    route: 'address',
    preference: null,
    ip,
    family: 4,
    port: 25,
    verdict,
    code,
    status: code ? `450 ${code} x` : null,
    message: null,
    durationMs: 1,
    stages: [],
    transcript: [],
    warnings: [],
    ...(code ? { failure: { stage: 'tcp', kind: 'connect-refused', message: 'refused' } } : {}),
  });
  const probeSettings = { targets: ['mx.contoso.test'], tlsMode: 'certificate-validation' as const, tlsDomain: null, port: 25 };

  it.each([
    ['every path passed', [path('healthy', null, '127.0.0.1'), path('healthy', null, '127.0.0.2')], 'healthy', null, []],
    ['one of two fails: degraded, the failed path a warning', [path('healthy', null, '127.0.0.1'), path('failing', '4.4.316', '127.0.0.2')], 'degraded', '4.4.316', ['path-failed']],
    ['none passed: failing, the first failing path is the headline', [path('failing', '4.4.317', '127.0.0.1'), path('failing', '4.4.316', '127.0.0.2')], 'failing', '4.4.317', []],
    ['a degraded path makes the probe degraded', [path('degraded', null, '127.0.0.1')], 'degraded', null, []],
  ] as const)('%s', (_what, paths, verdict, code, kinds) => {
    const r = judgeProbe(probeSettings, [{ route: 'address' }], [...paths], new Date(0), 5, false);
    expect([r.verdict, r.code, r.warnings.map((w) => w.kind), r.route]).toEqual([verdict, code, kinds, 'address']);
    expect(r.diagnosis?.code ?? null).toBe(code);
  });
});

describe('refuseByPolicy: a path the recipient policy refuses is a failed path (issue 17)', () => {
  const passed = (ip: string, warnings: PathResult['warnings'] = []): PathResult => ({
    target: 'contoso.test',
    host: 'mx1.contoso.test',
    route: 'mx',
    preference: 10,
    ip,
    family: 4,
    port: 25,
    verdict: warnings.length ? 'degraded' : 'healthy',
    code: null,
    status: null,
    message: null,
    durationMs: 1,
    stages: [],
    transcript: [],
    warnings,
  });
  const probeSettings = { targets: ['contoso.test'], tlsMode: 'opportunistic' as const, tlsDomain: null, port: 25 };
  const noTls = { kind: 'no-tls' as const, message: 'the server does not offer STARTTLS: Exchange Online would deliver without encryption (opportunistic TLS)', host: 'mx1.contoso.test', ip: '127.0.0.1' };

  it('the only path refused by DANE: failing with the policy code, the "without encryption" note replaced, the policy diagnosis', () => {
    const p = passed('127.0.0.1', [noTls]);
    refuseByPolicy(p, { policy: 'DANE', domain: 'contoso.test', problem: 'the host publishes TLSA records but does not offer STARTTLS', code: '4.7.321' });
    expect(p).toMatchObject({
      verdict: 'failing',
      code: '4.7.321',
      status: '450 4.7.321 starttls-not-supported',
      message: '450 4.7.321 starttls-not-supported [Message=the host publishes TLSA records but does not offer STARTTLS] [LastAttemptedServerName=mx1.contoso.test] [LastAttemptedIP=127.0.0.1:25]',
      warnings: [],
    });
    const r = judgeProbe(probeSettings, [{ route: 'mx' }], [p], new Date(0), 5, false);
    expect([r.verdict, r.code, r.status, r.warnings]).toEqual(['failing', '4.7.321', '450 4.7.321 starttls-not-supported', []]);
    expect(r.diagnosis).toMatchObject({ code: '4.7.321', title: 'starttls-not-supported', kind: 'policy', stage: 'starttls', partner: en.policyPartner, meaning: en.policyCodes['4.7.321'].meaning });
  });

  it('one of two refused by MTA-STS enforce without a documented code: degraded, code other, a path-failed warning naming the policy', () => {
    const paths = [passed('127.0.0.1'), passed('127.0.0.2')];
    refuseByPolicy(paths[1]!, { policy: 'MTA-STS', domain: 'contoso.test', problem: 'mx1.contoso.test matches none of the policy\'s mx patterns (mx9.contoso.test)', code: 'other' });
    const r = judgeProbe(probeSettings, [{ route: 'mx' }], paths, new Date(0), 5, false);
    expect([r.verdict, r.code, r.status, r.warnings.map((w) => w.message)]).toEqual([
      'degraded',
      'other',
      null,
      ["mx1.contoso.test at 127.0.0.2 fails: other (contoso.test's MTA-STS policy: mx1.contoso.test matches none of the policy's mx patterns (mx9.contoso.test))"],
    ]);
    expect(r.diagnosis).toMatchObject({ code: 'other', status: null, title: en.policyOther.title, kind: 'policy' });
  });

  it('a path that already failed keeps its own code', () => {
    const p = { ...passed('127.0.0.1'), verdict: 'failing' as const, code: '4.7.320' as const, status: '450 4.7.320 Certificate validation failed' };
    refuseByPolicy(p, { policy: 'MTA-STS', domain: 'contoso.test', problem: 'the certificate is not valid (CERT_HAS_EXPIRED)', code: '4.7.322' });
    expect([p.code, p.status, p.policyRefusal]).toEqual(['4.7.320', '450 4.7.320 Certificate validation failed', undefined]);
  });
});
