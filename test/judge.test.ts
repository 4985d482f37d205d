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
import { spoken } from './fixtures/spoken.js';
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

// Issue 20: the cases mutation testing found untested (docs/mutation.md).
describe('judgePath, exactly', () => {
  const from = (source: string | null, failure: StageFailure): SessionFacts => ({ ...facts({ failure }), ...(source ? { sourceAddress: source } : {}) });

  it.each([
    ['a 450 greeting is no refusal of strangers', new StageFailure('banner', 'reply', 'x', { reply: { code: 450, lines: ['busy'] } }), false],
    ['a 500 greeting is', new StageFailure('banner', 'reply', 'x', { reply: { code: 500, lines: ['no'] } }), true],
    ['a 554 to EHLO is not a greeting', new StageFailure('ehlo', 'reply', 'x', { reply: { code: 554, lines: ['no'] } }), false],
    ['a greeting that never came is not a refusal', new StageFailure('banner', 'timeout', 'x'), false],
    ['a greeting that does not parse (no reply) is not a refusal', new StageFailure('banner', 'reply', 'x'), false],
    ['a protocol failure in the greeting is not a refusal', new StageFailure('banner', 'protocol', 'x', { reply: { code: 554, lines: ['no'] } }), false],
  ] as const)('%s (from outside Microsoft 365)', (_what, failure, outside) => {
    const j = judgePath(settings('certificate-validation'), place, from('127.0.0.1', failure));
    expect([j.verdict, j.outsideMicrosoft365]).toEqual(['failing', outside]);
  });

  it('a source inside the ranges given (not the default ones) is inside', () => {
    const f = from('127.0.0.1', new StageFailure('tcp', 'connect-refused', 'refused'));
    expect(judgePath({ ...settings('certificate-validation'), m365Ranges: ['127.0.0.0/8'] }, place, f).outsideMicrosoft365).toBe(false);
    expect(judgePath({ ...settings('certificate-validation'), m365Ranges: ['10.0.0.0/8'] }, place, f).outsideMicrosoft365).toBe(true);
  });

  it('restricted: the note names the host, its address and the source; without them, "this machine" and no address', () => {
    const failure = new StageFailure('tcp', 'connect-refused', 'connection refused');
    const s = { ...settings('certificate-validation'), restrictedToMicrosoft365: true };
    expect(judgePath(s, place, from('127.0.0.9', failure)).notes).toEqual([
      "mx1.contoso.test at 127.0.0.1 refused the probe from 127.0.0.9 (connection refused); it accepts only Microsoft 365's addresses, so this path is unverifiable from here",
    ]);
    expect(judgePath(s, { host: 'mx1.contoso.test', ip: null }, from(null, failure)).notes).toEqual([
      "mx1.contoso.test refused the probe from this machine (connection refused); it accepts only Microsoft 365's addresses, so this path is unverifiable from here",
    ]);
  });

  it('a failure carries its status; a failure without a known code (other) has none', () => {
    const refused = judgePath(settings('certificate-validation'), place, facts({ failure: new StageFailure('tcp', 'connect-refused', 'refused') }));
    expect([refused.code, refused.status]).toEqual(['4.4.316', en.codes['4.4.316'].status]);
    const other = judgePath(settings('certificate-validation'), place, facts({ failure: new StageFailure('banner', 'protocol', 'not SMTP') }));
    expect([other.verdict, other.code, other.status]).toEqual(['failing', 'other', null]);
  });

  it('a healthy path is neither outside Microsoft 365 nor unverifiable, and has no notes', () => {
    const j = judgePath(settings('certificate-validation'), place, facts({ leafDays: 200 }));
    expect([j.outsideMicrosoft365, j.unverifiable, j.notes]).toEqual([false, false, []]);
  });

  it('the warnings say what happened: the injected bytes, the expiry date and days left, the TLS failure', () => {
    const j = judgePath(
      settings('certificate-validation'),
      place,
      facts({ leafDays: 9, events: [{ kind: 'starttls-injection', bytes: 7 }, { kind: 'tls-fallback', failure: new StageFailure('tls', 'closed', 'the server closed') }] }),
    );
    expect(j.warnings.map((w) => w.message)).toEqual([
      'the server sent 7 bytes after its 220 to STARTTLS, before TLS began; they were discarded (RFC 3207 §4.2)',
      'the certificate CN=mx1.contoso.test expires on 2027-01-01 (9 days left): renew it before then, or Exchange Online will report 450 4.7.320',
      'the TLS upgrade failed (the server closed): Exchange Online would fall back to delivering without encryption',
    ]);
    expect(j.notes).toEqual([]);
  });

  it('daysLeft == warnDays is no warning; one day less is', () => {
    expect(judgePath(settings('certificate-validation'), place, facts({ leafDays: 30 })).warnings).toEqual([]);
    expect(judgePath(settings('certificate-validation'), place, facts({ leafDays: 29 })).warnings.map((w) => w.kind)).toEqual(['certificate-expiring']);
  });

  it('no STARTTLS on a path without an address: the note names the host alone', () => {
    const j = judgePath(settings('opportunistic'), { host: 'mx1.contoso.test', ip: null }, facts({ events: [{ kind: 'no-tls' }] }));
    expect(j.notes).toEqual(['mx1.contoso.test does not offer STARTTLS: mail goes unencrypted, as an opportunistic connector allows']);
  });
});

describe('judgeProbe, exactly', () => {
  const base = (over: Partial<PathResult>): PathResult => ({
    target: 'mx.contoso.test',
    host: 'mx1.contoso.test',
    route: 'address',
    preference: null,
    ip: '127.0.0.1',
    family: 4,
    port: 25,
    verdict: 'healthy',
    code: null,
    status: null,
    message: null,
    durationMs: 1,
    stages: [],
    transcript: [],
    warnings: [],
    ...over,
  });
  const refused = { stage: 'tcp', kind: 'connect-refused', message: 'refused' } as const;
  const failing = (over: Partial<PathResult> = {}): PathResult =>
    base({ verdict: 'failing', code: '4.4.316', status: en.codes['4.4.316'].status, message: '450 4.4.316 refused [LastAttemptedIP=127.0.0.2:25]', failure: refused, ...over });
  const settingsOf = { targets: ['mx.contoso.test'], tlsMode: 'certificate-validation' as const, tlsDomain: null, port: 25 };
  const probe = (paths: PathResult[], routes: ('address' | 'mx')[] = ['address'], s: Partial<typeof settingsOf & { m365Ranges: string[] }> = {}) =>
    judgeProbe({ ...settingsOf, ...s }, routes.map((route) => ({ route })), paths, new Date(0), 5, false);

  it('a cancelled path (failing, no code) is not the headline; the first path with a code is', () => {
    const r = probe([base({ verdict: 'failing', ip: '127.0.0.1' }), failing({ ip: '127.0.0.2' })]);
    expect([r.verdict, r.code, r.status, r.message]).toEqual(['failing', '4.4.316', en.codes['4.4.316'].status, '450 4.4.316 refused [LastAttemptedIP=127.0.0.2:25]']);
  });

  it('one degraded path among healthy ones makes the probe degraded', () => {
    expect(probe([base({}), base({ verdict: 'degraded', ip: '127.0.0.2' })]).verdict).toBe('degraded');
  });

  it('the path-failed warning names a path without an address, and its status', () => {
    const r = probe([base({}), failing({ ip: null })]);
    expect(r.warnings.map((w) => w.message)).toEqual([`mx1.contoso.test at (no address) fails: ${en.codes['4.4.316'].status}`]);
  });

  it.each([
    [['address', 'address'], 'address'],
    [['address', 'mx'], 'mixed'],
    [[], null],
  ] as const)('routes %j: route %s', (routes, route) => {
    expect(probe([base({})], [...routes]).route).toBe(route);
  });

  it("the paths' notes, each once; none: no notes key", () => {
    expect(probe([base({ notes: ['a', 'b'] }), base({ notes: ['b'] }), base({})]).notes).toEqual(['a', 'b']);
    expect('notes' in probe([base({})])).toBe(false);
  });

  it("a finding replaces the code's first fix in the diagnosis", () => {
    const finding = { kind: 'smtp-inspection' as const, title: 'SMTP inspection', message: 'm', evidence: ['S: 220 ****'], fixes: ['turn it off'], firstFix: 'turn it off' };
    const r = probe([failing({ findings: [finding] })]);
    expect(r.diagnosis).toMatchObject({ code: '4.4.316', findings: [finding], firstFix: 'turn it off' });
    expect(probe([failing()]).diagnosis).not.toHaveProperty('findings');
  });

  it('a headline refused from outside carries the vantage, with the ranges given, and the result may differ', () => {
    const r = probe([failing({ outsideMicrosoft365: true, sourceAddress: '127.0.0.9' })], ['address'], { m365Ranges: ['40.92.0.0/15', '2a01:111:f400::/48'] });
    expect(spoken(r.diagnosis?.vantage)).toEqual({
      sourceAddress: '127.0.0.9',
      ranges: ['40.92.0.0/15', '2a01:111:f400::/48'],
      message:
        "probed from 127.0.0.9, outside the ranges Exchange Online delivers from: a smart host that allows only Microsoft 365's ranges refuses everyone else this way, so Exchange Online's result may differ. If it is so restricted, it must allow 40.92.0.0/15, 2a01:111:f400::/48 (use --restricted-to-m365 to report this as unverifiable from here)",
    });
    expect([r.mayDiffer, r.unverifiable]).toEqual([true, undefined]);
    const unknown = probe([failing({ outsideMicrosoft365: true })], ['address'], { m365Ranges: ['40.92.0.0/15'] });
    expect(unknown.diagnosis?.vantage?.sourceAddress).toBe(null);
    expect(unknown.diagnosis?.vantage?.message).toMatch(/^probed from this machine, outside /);
  });

  it('one path refused from outside among passed ones: the result may differ', () => {
    const r = probe([base({}), failing({ ip: '127.0.0.2', outsideMicrosoft365: true, sourceAddress: '127.0.0.9' })]);
    expect([r.verdict, r.mayDiffer]).toEqual(['degraded', true]);
  });

  it('an unverifiable path among verified ones: unverifiable, and no "may differ"', () => {
    const r = probe([base({}), base({ ip: '127.0.0.2', outsideMicrosoft365: true, unverifiable: true })]);
    expect([r.verdict, r.unverifiable, r.mayDiffer]).toEqual(['healthy', true, undefined]);
    const plain = probe([base({}), failing({ ip: '127.0.0.2' })]);
    expect(['mayDiffer' in plain, 'unverifiable' in plain]).toEqual([false, false]);
  });
});

describe('refuseByPolicy, exactly', () => {
  it('drops the no-tls and tls-fallback warnings and the unencrypted note, keeps the rest', () => {
    const w = (kind: PathResult['warnings'][number]['kind']) => ({ kind, message: kind, host: 'mx1.contoso.test', ip: '127.0.0.1' });
    const p: PathResult = {
      target: 'contoso.test',
      host: 'mx1.contoso.test',
      route: 'mx',
      preference: 10,
      ip: '127.0.0.1',
      family: 4,
      port: 25,
      verdict: 'degraded',
      code: null,
      status: null,
      message: null,
      durationMs: 1,
      stages: [],
      transcript: [],
      warnings: [w('no-tls'), w('tls-fallback'), w('certificate-expiring')],
      notes: ['mx1.contoso.test at 127.0.0.1 does not offer STARTTLS: mail goes unencrypted, as an opportunistic connector allows', 'another note'],
    };
    refuseByPolicy(p, { policy: 'MTA-STS', domain: 'contoso.test', problem: 'x', code: 'other' });
    expect([p.verdict, p.code, p.status, p.warnings.map((x) => x.kind), p.notes]).toEqual(['failing', 'other', null, ['certificate-expiring'], ['another note']]);
  });
});
