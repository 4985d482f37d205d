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
import { en } from '../src/catalog/en.js';
import { ptBR } from '../src/catalog/pt-br.js';
import { probe } from '../src/core/engine.js';
import type { ProbeOptions } from '../src/core/options.js';
import { mxMatches, parsePolicy, POLICY_MAX_BYTES } from '../src/policies/mta-sts.js';
import type { PoliciesResult } from '../src/policies/types.js';
import { parseTargetsFile } from '../src/fleet/targets.js';
import { renderNagios } from '../src/report/nagios.js';
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
const STS_DOMAINS = ['sts-only.demo.test', 'sts.demo.test', 'sts-ok.demo.test', 'sts-big.demo.test', 'sts-slow.demo.test', 'sts-redirect.demo.test', 'sts-testing.demo.test', 'sts-enforce-expired.demo.test', 'sts-html.demo.test'];

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
    ...stsDomain('sts-only.demo.test', ['mx2.demo.test']),
    // Two MX hosts: the first matches its TLSA record, the second does not.
    'dane-two.demo.test': { MX: [{ preference: 10, exchange: 'mxa.demo.test' }, { preference: 20, exchange: 'mxb.demo.test' }], ad: true },
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
  web.route('mta-sts.sts-only.demo.test', POLICY_PATH, { body: policyText('enforce', ['mx1.demo.test']) });
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
    // The SMTP session itself is fine, but Exchange Online honours DANE on MX routes: the
    // only path is refused, so the connector is failing with the policy's code (issue 17).
    expect(result.paths[0]).toMatchObject({ verdict: 'failing', code: '4.7.323', status: '450 4.7.323 tlsa-invalid' });
    expect(result).toMatchObject({ verdict: 'failing', code: '4.7.323' });
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
    // "registro" is masculine: the line reads right after DANE (masculine) as after MTA-STS and TLS-RPT.
    expect(text).toContain('DANE (RFC 7672): nenhum registro publicado');
    expect(text).toContain('MTA-STS (RFC 8461): nenhum registro publicado');
    expect(text).toContain('TLS-RPT (RFC 8460): nenhum registro publicado');
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
        expect(err.code).toBe(2); // failing: the DANE policy refuses the only path
        return err;
      },
    );
    const json = JSON.parse(stdout) as { verdict: string; policies: PoliciesResult[] };
    expect(json.verdict).toBe('failing');
    expect(json.policies[0]?.dane.paths[0]).toMatchObject({ code: '4.7.323', action: 'refuse' });
  });
});

/** A plain `probe <domain>`: no `policies` key, so the default holds (on for MX routes). */
function byDefault(port: number, extra: ProbeOptions = {}): ProbeOptions {
  return { ...loopbackProbeOptions(dns, port, { timeoutMs: 1500, deadlineMs: 10_000 }), mtaStsPort: web.port, ...extra };
}

const tlsaQueries = (): string[] => dns.queries.filter((q) => q.type === 'TLSA').map((q) => q.name);

describe('a path the recipient policy refuses is a failed path, checked by default on MX routes (issue 17)', () => {
  it('matching TLSA: healthy, and the TLSA question was asked without --policies', async () => {
    const server = await smtp(certSet().wildcard);
    dns.queries.length = 0;
    const result = await probe('dane-ok.demo.test', byDefault(server.port));
    expect(result).toMatchObject({ verdict: 'healthy', code: null, status: null, diagnosis: null, warnings: [] });
    expect(only(result.policies).dane.paths[0]).toMatchObject({ satisfied: true, action: 'deliver' });
    expect(tlsaQueries()).toEqual(['_25._tcp.mxa.demo.test']);
  });

  it('mismatching TLSA: failing 4.7.323, the path fails, the diagnosis is the policy code\'s with the recipient-domain note', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('dane-bad.demo.test', byDefault(server.port));
    expect(result).toMatchObject({ verdict: 'failing', code: '4.7.323', status: '450 4.7.323 tlsa-invalid' });
    expect(result.message).toBe(
      `450 4.7.323 tlsa-invalid [Message=no TLSA record matches the certificate the server presents (1 usable record at _25._tcp.mxb.demo.test)] [LastAttemptedServerName=mxb.demo.test] [LastAttemptedIP=127.0.0.1:${server.port}]`,
    );
    expect(result.paths[0]).toMatchObject({
      verdict: 'failing',
      code: '4.7.323',
      policyRefusal: { policy: 'DANE', domain: 'dane-bad.demo.test', code: '4.7.323', problem: expect.stringMatching(/^no TLSA record matches/) },
    });
    expect(result.diagnosis).toMatchObject({
      code: '4.7.323',
      status: '450 4.7.323 tlsa-invalid',
      title: 'tlsa-invalid',
      meaning: en.policyCodes['4.7.323'].meaning,
      causes: en.policyCodes['4.7.323'].causes,
      fixes: en.policyCodes['4.7.323'].fixes,
      partner: en.policyPartner,
      stage: 'certificate',
      kind: 'policy',
      summary: expect.stringMatching(/^dane-bad\.demo\.test's DANE policy: no TLSA record matches/),
    });
    const text = renderText(result);
    expect(text).toContain('450 4.7.323 tlsa-invalid');
    expect(text).toMatch(/Partner\s+The recipient domain's DNS and mail administrators have to fix it/);
    const nagios = renderNagios(result);
    expect(nagios.exitCode).toBe(2);
    expect(nagios.text).toContain(`CRITICAL: mxb.demo.test 127.0.0.1:${server.port} 450 4.7.323 tlsa-invalid (dane-bad.demo.test's DANE policy: no TLSA record matches`);
    // the same in Portuguese: the policy code's own texts
    const pt = await probe('dane-bad.demo.test', byDefault(server.port, { language: 'pt-BR' }));
    expect(pt.diagnosis).toMatchObject({ code: '4.7.323', meaning: ptBR.policyCodes['4.7.323'].meaning, partner: ptBR.policyPartner });
  });

  it('a TLSA lookup that fails DNSSEC (SERVFAIL): failing 4.7.324', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('dane-bogus.demo.test', byDefault(server.port));
    expect(result).toMatchObject({ verdict: 'failing', code: '4.7.324', status: '450 4.7.324 dnssec-invalid' });
    expect(result.diagnosis).toMatchObject({ code: '4.7.324', stage: 'dns', kind: 'policy', title: 'dnssec-invalid' });
  });

  it('TLSA on a host without STARTTLS (opportunistic): failing 4.7.321, and no "without encryption" line', async () => {
    const server = await startRaw(noStarttls);
    onTestFinished(() => server.close());
    const result = await probe('dane-ok.demo.test', byDefault(server.port, { tlsMode: 'opportunistic' }));
    expect(result).toMatchObject({ verdict: 'failing', code: '4.7.321', status: '450 4.7.321 starttls-not-supported' });
    expect(result.diagnosis).toMatchObject({ code: '4.7.321', stage: 'starttls', kind: 'policy' });
    expect(result.warnings.map((w) => w.kind)).not.toContain('no-tls');
    expect(result.paths[0]?.warnings).toEqual([]);
    const text = renderText(result);
    expect(text).not.toMatch(/without encryption|goes unencrypted/);
    expect(text).toContain('450 4.7.321 starttls-not-supported');
  });

  it('the same server for a domain without TLSA: healthy with the "without encryption" note (opportunistic)', async () => {
    const server = await startRaw(noStarttls);
    onTestFinished(() => server.close());
    const result = await probe('plain.demo.test', byDefault(server.port, { tlsMode: 'opportunistic' }));
    expect(result.code).toBeNull();
    // Opportunistic without STARTTLS is healthy, as configured: a note, not a warning (issue 14).
    expect(result.verdict).toBe('healthy');
    expect(result.paths[0]?.warnings).toEqual([]);
    expect(result.paths[0]?.notes).toEqual([expect.stringContaining('does not offer STARTTLS')]);
  });

  it('MTA-STS enforce and the only MX host matches no mx pattern: failing, code other with the policy reason', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('sts-only.demo.test', byDefault(server.port));
    expect(result).toMatchObject({ verdict: 'failing', code: 'other', status: null });
    expect(result.paths[0]).toMatchObject({
      verdict: 'failing',
      code: 'other',
      policyRefusal: { policy: 'MTA-STS', domain: 'sts-only.demo.test', code: 'other', problem: "mx2.demo.test matches none of the policy's mx patterns (mx1.demo.test)" },
    });
    expect(result.message).toMatch(/^other: mx2\.demo\.test matches none of the policy's mx patterns \(mx1\.demo\.test\) \[Message=/);
    expect(result.diagnosis).toMatchObject({ code: 'other', status: null, title: en.policyOther.title, partner: en.policyPartner, kind: 'policy' });
  });

  it('MTA-STS testing, the certificate expired (encryption-only): healthy, the policy a note', async () => {
    const server = await smtp(certSet().expired);
    const result = await probe('sts-testing.demo.test', byDefault(server.port, { tlsMode: 'encryption-only' }));
    expect(result).toMatchObject({ verdict: 'healthy', code: null, warnings: [] });
    expect(only(result.policies).mtaSts.paths[0]).toMatchObject({ action: 'deliver-and-report', code: null });
    expect(renderText(result)).toContain('A sender that honours it: deliver, and report the failure (TLS-RPT)');
  });

  it('two MX hosts, the second refused by DANE: degraded, 1 of 2 paths pass, with that path\'s code', async () => {
    const server = await smtp(certSet().wildcard);
    const result = await probe('dane-two.demo.test', byDefault(server.port));
    expect(result.paths.map((p) => [p.host, p.verdict, p.code])).toEqual([
      ['mxa.demo.test', 'healthy', null],
      ['mxb.demo.test', 'failing', '4.7.323'],
    ]);
    expect(result).toMatchObject({ verdict: 'degraded', code: '4.7.323', status: '450 4.7.323 tlsa-invalid' });
    expect(result.warnings).toEqual([
      expect.objectContaining({ kind: 'path-failed', host: 'mxb.demo.test', message: expect.stringMatching(/^mxb\.demo\.test at 127\.0\.0\.1 fails: 450 4\.7\.323 tlsa-invalid \(dane-two\.demo\.test's DANE policy: no TLSA record matches/) }),
    ]);
    expect(renderText(result)).toContain('1 of 2 paths pass');
  });

  it('policies: false: nothing is looked up and the mismatching TLSA does not count', async () => {
    const server = await smtp(certSet().wildcard);
    dns.queries.length = 0;
    const result = await probe('dane-bad.demo.test', byDefault(server.port, { policies: false }));
    expect(result).toMatchObject({ verdict: 'healthy', code: null });
    expect(result).not.toHaveProperty('policies');
    expect(tlsaQueries()).toEqual([]);
    expect(dns.queries.filter((q) => q.type === 'TXT')).toEqual([]);
  });

  it('a smart-host route (a name without MX) is not subject to the recipient\'s policies: nothing is looked up', async () => {
    const server = await smtp(certSet().wildcard);
    dns.queries.length = 0;
    const result = await probe('direct.demo.test', byDefault(server.port));
    expect(result).toMatchObject({ route: 'address', verdict: 'healthy' });
    expect(result).not.toHaveProperty('policies');
    expect(dns.queries.map((q) => q.type).sort()).toEqual(['A', 'AAAA', 'MX']);
  });

  it('a targets file says policies=no; the config schema knows the key with its default', () => {
    const [line] = parseTargetsFile('dane-bad.demo.test policies=no', 'targets.txt');
    expect(line?.options).toMatchObject({ policies: false });
    expect(() => parseTargetsFile('dane-bad.demo.test policies=maybe', 'targets.txt')).toThrow('targets.txt:1: invalid policies "maybe": must be yes or no');
  });

  it('the CLI: a plain probe of the domain exits 2 with 4.7.323; --no-policies sends no TLSA query and exits 0', async () => {
    const server = await smtp(certSet().wildcard);
    const dir = mkdtempSync(join(tmpdir(), 'policies-'));
    writeFileSync(join(dir, 'root.pem'), certSet().root.cert);
    const args = ['dane-bad.demo.test', '--json', '--ca-file', join(dir, 'root.pem'), '--resolver', dns.address, '--port', String(server.port), '--mta-sts-port', String(web.port), '--ehlo-name', 'probe.demo.test', '--timeout', '1500'];
    const failed = await run('node', [BIN, ...args]).then(
      () => ({ code: 0, stdout: '' }),
      (err: { stdout: string; code: number }) => err,
    );
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.stdout)).toMatchObject({ verdict: 'failing', code: '4.7.323', status: '450 4.7.323 tlsa-invalid' });
    dns.queries.length = 0;
    const { stdout } = await run('node', [BIN, ...args, '--no-policies']);
    expect(JSON.parse(stdout)).toMatchObject({ verdict: 'healthy', code: null });
    expect(tlsaQueries()).toEqual([]);
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
