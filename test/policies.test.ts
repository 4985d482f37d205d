/**
 * DANE, MTA-STS and TLS-RPT for MX routes, against a loopback DNS server that serves
 * TLSA, TXT and the AD bit, a loopback HTTPS server that serves the policies, and a
 * loopback SMTP server whose certificate the TLSA records match (or do not).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { certSet, loopbackProbeOptions, noStarttls, startDns, startHttps, startRaw, startSmtp, type DnsServer, type HttpsFixture, type Leaf, type Zone, timeWithLag } from './fixtures/index.js';
import { ptBR } from '../src/catalog/pt-br.js';
import { probe } from '../src/core/engine.js';
import type { ProbeOptions } from '../src/core/options.js';
import { mxMatches, parsePolicy, POLICY_MAX_BYTES } from '../src/policies/mta-sts.js';
import type { PoliciesResult } from '../src/policies/types.js';
import { renderText } from '../src/report/text.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'bin.js');

const spkiSha256 = (pem: string): Buffer =>
  createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest();
const certSha256 = (pem: string): Buffer => createHash('sha256').update(new X509Certificate(pem).raw).digest();
const certSha512 = (pem: string): Buffer => createHash('sha512').update(new X509Certificate(pem).raw).digest();

const POLICY_PATH = '/.well-known/mta-sts.txt';
const policyText = (mode: string, mx: string[], maxAge = 86400): string =>
  ['version: STSv1', `mode: ${mode}`, ...mx.map((m) => `mx: ${m}`), `max_age: ${maxAge}`, ''].join('\r\n');

/** The policy hosts the HTTPS server's certificate covers. */
const STS_DOMAINS = ['sts.demo.test', 'sts-ok.demo.test', 'sts-big.demo.test', 'sts-slow.demo.test', 'sts-redirect.demo.test', 'sts-testing.demo.test', 'sts-enforce-expired.demo.test', 'sts-html.demo.test'];

let dns: DnsServer;
let web: HttpsFixture;

/** An MX domain whose single MX host (its own name in demo.test, so *.demo.test covers it) has these TLSA records. */
function daneDomain(domain: string, mx: string, tlsa: Zone[string], ad = true): Zone {
  return {
    [domain]: { MX: [{ preference: 10, exchange: mx }], ad },
    [mx]: { A: ['127.0.0.1'], ad },
    [`_25._tcp.${mx}`]: tlsa,
  };
}

function stsDomain(domain: string, mx: string[]): Zone {
  return {
    [domain]: { MX: mx.map((exchange, i) => ({ preference: 10 * (i + 1), exchange })) },
    ...Object.fromEntries(mx.map((m) => [m, { A: ['127.0.0.1'] }])),
    [`_mta-sts.${domain}`]: { TXT: ['v=STSv1; id=20260301T000000'] },
    [`mta-sts.${domain}`]: { A: ['127.0.0.1'] },
  };
}

beforeAll(async () => {
  const { wildcard, wrongName, intermediate } = certSet();
  dns = await startDns({
    ...daneDomain('dane-ok.demo.test', 'mxa.demo.test', { TLSA: [{ usage: 3, selector: 1, matchingType: 1, certificate: spkiSha256(wildcard.cert) }], ad: true }),
    ...daneDomain('dane-bad.demo.test', 'mxb.demo.test', { TLSA: [{ usage: 3, selector: 0, matchingType: 1, certificate: certSha256(wrongName.cert) }], ad: true }),
    ...daneDomain('dane-ta.demo.test', 'mxc.demo.test', { TLSA: [{ usage: 2, selector: 0, matchingType: 2, certificate: certSha512(intermediate.cert) }], ad: true }),
    ...daneDomain('dane-noad.demo.test', 'mxd.demo.test', { TLSA: [{ usage: 3, selector: 1, matchingType: 1, certificate: spkiSha256(wildcard.cert) }] }, false),
    ...daneDomain('dane-bogus.demo.test', 'mxe.demo.test', { TLSA: 'SERVFAIL' }),
    ...daneDomain('dane-pkix.demo.test', 'mxf.demo.test', { TLSA: [{ usage: 1, selector: 1, matchingType: 1, certificate: spkiSha256(wildcard.cert) }], ad: true }),
    ...daneDomain('dane-ta-name.demo.test', 'mxg.demo.test', { TLSA: [{ usage: 2, selector: 1, matchingType: 1, certificate: spkiSha256(intermediate.cert) }], ad: true }),
    ...stsDomain('sts.demo.test', ['mx1.demo.test', 'mx2.demo.test']),
    ...stsDomain('sts-ok.demo.test', ['mx1.demo.test', 'mx2.demo.test']),
    ...stsDomain('sts-big.demo.test', ['mx1.demo.test']),
    ...stsDomain('sts-slow.demo.test', ['mx1.demo.test']),
    ...stsDomain('sts-redirect.demo.test', ['mx1.demo.test']),
    ...stsDomain('sts-testing.demo.test', ['mx1.demo.test']),
    ...stsDomain('sts-enforce-expired.demo.test', ['mx1.demo.test']),
    ...stsDomain('sts-html.demo.test', ['mx1.demo.test']),
    '_smtp._tls.sts.demo.test': { TXT: ['v=TLSRPTv1; rua=mailto:tls-reports@demo.test,https://reports.demo.test/tlsrpt'] },
    '_smtp._tls.sts-ok.demo.test': { TXT: ['v=TLSRPTv1;'] },
    'plain.demo.test': { MX: [{ preference: 10, exchange: 'mx1.demo.test' }] },
    'direct.demo.test': { A: ['127.0.0.1'] },
  });
  web = await startHttps({ tls: certSet().valid(STS_DOMAINS.map((d) => `mta-sts.${d}`)) });
  web.route('mta-sts.sts.demo.test', POLICY_PATH, { body: policyText('enforce', ['mx1.demo.test']) });
  web.route('mta-sts.sts-ok.demo.test', POLICY_PATH, { body: policyText('enforce', ['*.demo.test'], 604800) });
  web.route('mta-sts.sts-big.demo.test', POLICY_PATH, { body: `${policyText('enforce', ['mx1.demo.test'])}${'# padding\r\n'.repeat(8000)}` });
  web.route('mta-sts.sts-slow.demo.test', POLICY_PATH, { body: policyText('enforce', ['mx1.demo.test']), delayMs: 60_000 });
  web.route('mta-sts.sts-redirect.demo.test', POLICY_PATH, { status: 301, headers: { location: 'https://mta-sts.sts-ok.demo.test/.well-known/mta-sts.txt' } });
  web.route('mta-sts.sts-testing.demo.test', POLICY_PATH, { body: policyText('testing', ['mx1.demo.test']) });
  web.route('mta-sts.sts-enforce-expired.demo.test', POLICY_PATH, { body: policyText('enforce', ['mx1.demo.test']) });
  web.route('mta-sts.sts-html.demo.test', POLICY_PATH, { body: policyText('enforce', ['mx1.demo.test']), contentType: 'text/html' });
});
afterAll(async () => {
  await Promise.all([dns.close(), web.close()]);
});

function options(port: number, extra: ProbeOptions = {}): ProbeOptions {
  return {
    ...loopbackProbeOptions(dns, port, { timeoutMs: 1500, deadlineMs: 10_000 }),
    policies: true,
    mtaStsPort: web.port,
    ...extra,
  };
}

async function smtp(leaf: Leaf) {
  const server = await startSmtp({ tls: leaf });
  onTestFinished(async () => {
    await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
    await server.close();
  });
  return server;
}

function only(policies: PoliciesResult[] | undefined): PoliciesResult {
  expect(policies).toHaveLength(1);
  return policies?.[0] as PoliciesResult;
}

describe('DANE (RFC 7672)', () => {
  it('a DANE-EE(3 1 1) record that matches the served key, DNSSEC-validated: satisfied', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('dane-ok.demo.test', options(server.port));
    const p = only(result.policies);
    expect(p.dane).toMatchObject({ mxDnssec: 'secure', inEffect: true });
    expect(p.dane.hosts).toEqual([
      expect.objectContaining({ host: 'mxa.demo.test', name: '_25._tcp.mxa.demo.test', dnssec: 'secure', error: null, records: [expect.objectContaining({ usage: 3, selector: 1, matchingType: 1, usable: true })] }),
    ]);
    expect(p.dane.paths).toEqual([
      { host: 'mxa.demo.test', ip: '127.0.0.1', satisfied: true, problem: null, action: 'deliver', code: null, matched: expect.stringMatching(/^3 1 1 [0-9a-f]{16}… \(DANE-EE\)$/) },
    ]);
    expect(result.verdict).toBe('healthy');
    // The TLSA question went to our resolver, with the DO/AD request.
    expect(dns.queries).toContainEqual({ name: '_25._tcp.mxa.demo.test', type: 'TLSA' });
  });

  it('a TLSA record that does not match the certificate: 4.7.323 tlsa-invalid, the sender refuses', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('dane-bad.demo.test', options(server.port));
    const path = only(result.policies).dane.paths[0];
    expect(path).toMatchObject({ host: 'mxb.demo.test', satisfied: false, action: 'refuse', code: '4.7.323', matched: null });
    expect(path?.problem).toMatch(/no TLSA record matches the certificate the server presents \(1 usable record at _25\._tcp\.mxb\.demo\.test\)/);
    // The SMTP session itself is fine; the policy makes the verdict degraded.
    expect(result.paths[0]?.verdict).toBe('healthy');
    expect(result.verdict).toBe('degraded');
    expect(result.warnings).toContainEqual(expect.objectContaining({ kind: 'policy-not-satisfied', host: 'mxb.demo.test', message: expect.stringContaining('(Exchange Online: 450 4.7.323)') }));
  });

  it('DANE-TA(2 0 2) matching the intermediate the server sends: satisfied, the leaf chains to it and names the MX', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('dane-ta.demo.test', options(server.port));
    expect(only(result.policies).dane.paths[0]).toMatchObject({ satisfied: true, action: 'deliver', code: null, matched: expect.stringContaining('(DANE-TA)') });
  });

  it('DANE-TA matches, but the certificate does not carry the MX host name: 4.7.323', async () => {
    const server = await smtp(certSet().wrongName);
    const result = await probe('dane-ta-name.demo.test', options(server.port, { tlsMode: 'encryption-only' }));
    expect(only(result.policies).dane.paths[0]).toMatchObject({ satisfied: false, action: 'refuse', code: '4.7.323', problem: 'the certificate does not carry the MX host name mxg.demo.test' });
  });

  it('a resolver that does not validate (no AD bit): the records are shown, DANE is not in effect, said plainly', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('dane-noad.demo.test', options(server.port));
    const p = only(result.policies);
    expect(p.dane).toMatchObject({ mxDnssec: 'insecure', inEffect: false });
    expect(p.dane.hosts[0]).toMatchObject({ dnssec: 'insecure', records: [expect.objectContaining({ usage: 3 })] });
    expect(p.dane.paths[0]).toMatchObject({ satisfied: true, action: 'deliver', code: null, problem: expect.stringMatching(/not DNSSEC-validated \(no AD bit\)/) });
    expect(result.verdict).toBe('healthy');
    const text = renderText(result);
    expect(text).toContain('DNSSEC (MX): not validated: no AD bit (the zone is unsigned, or this resolver does not validate DNSSEC)');
  });

  it('a TLSA lookup that fails validation (SERVFAIL): 4.7.324 dnssec-invalid', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('dane-bogus.demo.test', options(server.port));
    const p = only(result.policies);
    expect(p.dane.inEffect).toBe(true);
    expect(p.dane.hosts[0]).toMatchObject({ dnssec: 'bogus', error: 'the TLSA lookup failed: SERVFAIL' });
    expect(p.dane.paths[0]).toMatchObject({ satisfied: false, action: 'refuse', code: '4.7.324' });
  });

  it('TLSA published but STARTTLS not offered: 4.7.321 starttls-not-supported', async () => {
    const server = await startRaw(noStarttls);
    onTestFinished(() => server.close());
    const result = await probe('dane-ok.demo.test', options(server.port, { tlsMode: 'opportunistic' }));
    expect(only(result.policies).dane.paths[0]).toMatchObject({ satisfied: false, action: 'refuse', code: '4.7.321', problem: 'the host publishes TLSA records but does not offer STARTTLS' });
  });

  it('only PKIX usages (0/1): unusable for SMTP, TLS still required, not authenticated', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('dane-pkix.demo.test', options(server.port));
    const p = only(result.policies);
    expect(p.dane.hosts[0]?.records[0]).toMatchObject({ usage: 1, usable: false });
    expect(p.dane.paths[0]).toMatchObject({ satisfied: true, action: 'deliver', problem: expect.stringMatching(/no usable TLSA record/) });
  });
});

describe('MTA-STS (RFC 8461) and TLS-RPT (RFC 8460)', () => {
  it('an enforce policy whose mx patterns do not cover a host: that path is refused', async () => {
    const server = await smtp(certSet().wildcard);
    web.requests.length = 0;
    const result = await probe('sts.demo.test', options(server.port));
    const sts = only(result.policies).mtaSts;
    expect(sts).toMatchObject({
      record: 'v=STSv1; id=20260301T000000',
      id: '20260301T000000',
      url: `https://mta-sts.sts.demo.test:${web.port}/.well-known/mta-sts.txt`,
      policy: { version: 'STSv1', mode: 'enforce', mx: ['mx1.demo.test'], maxAge: 86400 },
      problem: null,
    });
    expect(sts.paths).toEqual([
      { host: 'mx1.demo.test', ip: '127.0.0.1', satisfied: true, problem: null, action: 'deliver', code: null },
      { host: 'mx2.demo.test', ip: '127.0.0.1', satisfied: false, problem: 'mx2.demo.test matches none of the policy\'s mx patterns (mx1.demo.test)', action: 'refuse', code: null },
    ]);
    expect(result.verdict).toBe('degraded');
    // The policy host was resolved by our resolver and fetched with its name as SNI and Host.
    expect(dns.queries).toContainEqual({ name: 'mta-sts.sts.demo.test', type: 'A' });
    expect(web.requests).toEqual([{ host: 'mta-sts.sts.demo.test', servername: 'mta-sts.sts.demo.test', path: POLICY_PATH }]);
    // TLS-RPT
    expect(only(result.policies).tlsRpt).toEqual({
      record: 'v=TLSRPTv1; rua=mailto:tls-reports@demo.test,https://reports.demo.test/tlsrpt',
      rua: ['mailto:tls-reports@demo.test', 'https://reports.demo.test/tlsrpt'],
      problem: null,
    });
    const text = renderText(result);
    expect(text).toContain('MTA-STS (RFC 8461): v=STSv1; id=20260301T000000');
    expect(text).toContain('Mode: enforce; MX patterns: mx1.demo.test; max_age: 86400');
    expect(text).toContain('✗ mx2.demo.test 127.0.0.1: NOT satisfied; A sender that honours it: not deliver to this host; Exchange Online would report: no documented code');
    expect(text).toContain('TLS-RPT (RFC 8460): v=TLSRPTv1; rua=mailto:tls-reports@demo.test');
  });

  it('a wildcard pattern covers every MX; a TLS-RPT record without rua is flagged', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('sts-ok.demo.test', options(server.port));
    const p = only(result.policies);
    expect(p.mtaSts.paths.map((x) => [x.host, x.satisfied, x.action])).toEqual([
      ['mx1.demo.test', true, 'deliver'],
      ['mx2.demo.test', true, 'deliver'],
    ]);
    expect(p.tlsRpt).toEqual({ record: 'v=TLSRPTv1;', rua: [], problem: 'the record has no rua= (where to send reports)' });
    expect(result.verdict).toBe('healthy');
  });

  it.each([
    ['sts-big.demo.test', new RegExp(`more than ${POLICY_MAX_BYTES} bytes`)],
    ['sts-slow.demo.test', /^no complete policy within 1500 ms$/],
    ['sts-redirect.demo.test', /^the policy URL redirects \(HTTP 301 to https:\/\/mta-sts\.sts-ok\.demo\.test\/\.well-known\/mta-sts\.txt\); RFC 8461 §3\.3 forbids following redirects$/],
    ['sts-html.demo.test', /served as "text\/html", not text\/plain/],
  ])('%s: the policy is refused (%s), and no path is judged by it', async (domain, problem) => {
    const server = await smtp(certSet().wildcard);
    web.requests.length = 0;
    const { value: result, ms, lagMs } = await timeWithLag(() => probe(domain, options(server.port)));
    const sts = only(result.policies).mtaSts;
    expect(sts.record).toBe('v=STSv1; id=20260301T000000');
    expect(sts.policy).toBeNull();
    expect(sts.problem).toMatch(problem);
    expect(sts.paths).toEqual([]);
    // One request, never a second one to where a redirect points.
    expect(web.requests.map((r) => r.host)).toEqual([`mta-sts.${domain}`]);
    // the slow server would hold the body for a minute: the stage window ended the wait
    expect(ms).toBeLessThan(15_000 + lagMs);
  });

  it('a policy host whose certificate is not valid for its name: the policy is not used', async () => {
    const other = await startHttps({ tls: certSet().wrongName });
    onTestFinished(() => other.close());
    other.route('mta-sts.sts.demo.test', POLICY_PATH, { body: policyText('enforce', ['mx1.demo.test']) });
    const server = await smtp(certSet().wildcard);
    const result = await probe('sts.demo.test', options(server.port, { mtaStsPort: other.port }));
    expect(only(result.policies).mtaSts).toMatchObject({ policy: null, problem: expect.stringMatching(/ERR_TLS_CERT_ALTNAME_INVALID .*not valid for the policy host/) });
  });

  it('testing mode and an expired certificate: deliver and report, no code', async () => {
    const server = await smtp(certSet().expired);
    const result = await probe('sts-testing.demo.test', options(server.port, { tlsMode: 'encryption-only' }));
    expect(only(result.policies).mtaSts.paths[0]).toMatchObject({ satisfied: false, action: 'deliver-and-report', code: null, problem: 'the certificate is not valid (CERT_HAS_EXPIRED)' });
    expect(result.verdict).toBe('healthy');
  });

  it('enforce mode and an expired certificate: 4.7.322 certificate-expired', async () => {
    const server = await smtp(certSet().expired);
    const result = await probe('sts-enforce-expired.demo.test', options(server.port));
    // the connector check fails too (4.7.320); the policy says what a MX sender would do
    expect(result.code).toBe('4.7.320');
    expect(only(result.policies).mtaSts.paths[0]).toMatchObject({ satisfied: false, action: 'refuse', code: '4.7.322' });
  });

  it('no policy published anywhere: each says none', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('plain.demo.test', options(server.port));
    const p = only(result.policies);
    expect(p.dane).toMatchObject({ inEffect: false, mxDnssec: 'insecure', paths: [expect.objectContaining({ satisfied: true, problem: null })] });
    expect(p.mtaSts).toMatchObject({ record: null, policy: null, problem: null, paths: [] });
    expect(p.tlsRpt).toEqual({ record: null, rua: [], problem: null });
    const text = renderText(result, { catalog: ptBR });
    expect(text).toContain('Políticas de segurança de transporte de plain.demo.test');
    expect(text).toContain('MTA-STS (RFC 8461): nenhuma publicada');
  });

  it('not an MX route: no lookups, and the report says why', async () => {
    const server = await smtp(certSet().wildcard);
    dns.queries.length = 0;
    const result = await probe('direct.demo.test', options(server.port, { mx: false }));
    expect(result.policies).toEqual([]);
    expect(dns.queries.map((q) => q.type).sort()).toEqual(['A', 'AAAA']);
    expect(renderText(result)).toContain('Not an MX route: DANE and MTA-STS apply only when Exchange Online delivers by MX.');
  });

  it('without --policies nothing extra is asked and the field is absent', async () => {
    const server = await smtp(certSet().wildcard);
    dns.queries.length = 0;
    const result = await probe('dane-ok.demo.test', options(server.port, { policies: false }));
    expect(result).not.toHaveProperty('policies');
    expect(dns.queries.map((q) => q.type)).not.toContain('TLSA');
  });

  it('the CLI: --policies adds the field to --json', async () => {
    const server = await smtp(certSet().wildcard);
    const dir = mkdtempSync(join(tmpdir(), 'policies-'));
    writeFileSync(join(dir, 'root.pem'), certSet().root.cert);
    const { stdout } = await run('node', [BIN, 'dane-bad.demo.test', '--policies', '--json', '--ca-file', join(dir, 'root.pem'), '--resolver', dns.address, '--port', String(server.port), '--mta-sts-port', String(web.port), '--ehlo-name', 'probe.demo.test', '--timeout', '1500']).catch(
      (err: { stdout: string; code: number }) => {
        expect(err.code).toBe(1); // degraded: the DANE policy is not met
        return err;
      },
    );
    const json = JSON.parse(stdout) as { verdict: string; policies: PoliciesResult[] };
    expect(json.verdict).toBe('degraded');
    expect(json.policies[0]?.dane.paths[0]).toMatchObject({ code: '4.7.323', action: 'refuse' });
  });
});

describe('policy parsing', () => {
  it.each([
    ['*.demo.test', 'mx1.demo.test', true],
    ['*.demo.test', 'a.b.demo.test', false],
    ['*.demo.test', 'demo.test', false],
    ['MX1.demo.test', 'mx1.demo.test', true],
    ['mx1.demo.test', 'mx2.demo.test', false],
  ])('mx %s vs %s → %s', (pattern, host, want) => expect(mxMatches(pattern, host)).toBe(want));

  it.each([
    ['version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1', /version: STSv1/],
    ['version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1', /mode "strict"/],
    ['version: STSv1\nmode: enforce\nmax_age: 1', /at least one mx/],
    ['version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 99999999999', /max_age/],
    ['version: STSv1\nmode: enforce\nmx: a.test', /max_age ""/],
  ])('refuses a bad policy: %j', (body, message) => {
    const parsed = parsePolicy(body);
    expect('error' in parsed ? parsed.error : '').toMatch(message);
  });

  it('reads mode none without mx lines', () => {
    expect(parsePolicy('version: STSv1\nmode: none\nmax_age: 0\n')).toEqual({ version: 'STSv1', mode: 'none', mx: [], maxAge: 0 });
  });
});
