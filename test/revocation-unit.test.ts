/**
 * probes/revocation.ts by itself: the stapled OCSP response's checks and the CRL lookup,
 * each outcome with its whole result (status, sentence, id, dates), the skew boundaries at
 * the millisecond, and the order of sources. Certificates are ECDSA (fixtures: fast to
 * make); CRLs are fetched from a loopback HTTP server or served from a cache filled by
 * the test. The same checks behind TLS probes of loopback servers are in
 * test/certificate-deep.test.ts.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCrl, checkOcspStaple, checkRevocation, REVOCATION_LIMITS, revocationOf, uncheckedRevocation } from '../probes/revocation.js';
import { RevocationCache, type CrlDownload } from '../probes/revocation-cache.js';
import { say } from '../probes/messages.js';
import type { ProbeContext } from '../probes/stage.js';
import { OID, signedCrl, utc } from './fixtures/crl-der.js';
import { closedPort, issueEcdsaLeaf, makeCrl, makeOcspResponse, OCSP_SIGNING, startDns, startHttp, type HttpFixture, type PkiLeaf } from './fixtures/index.js';

const SECOND = 1000;
const DAY = 86_400_000;
const SKEW = 5 * 60_000;
/** Whole seconds: OCSP and CRL times carry no milliseconds. */
const T0 = Math.floor(Date.now() / SECOND) * SECOND;
const iso = (ms: number) => new Date(ms).toISOString();

let http: HttpFixture;
let ca: PkiLeaf;
/** Another P-256 key: what it signs under the CA's name is a forgery. */
let forger: { key: string };
let leaf: PkiLeaf;
let leafX509: X509Certificate;
let caX509: X509Certificate;
let pair: { leaf: pkijs.Certificate; issuer: pkijs.Certificate };

const pkijsOf = (pem: string) => pkijs.Certificate.fromBER(new X509Certificate(pem).raw);

beforeAll(async () => {
  http = await startHttp();
  ca = await issueEcdsaLeaf(null, { commonName: 'rev-ca.demo.test' });
  forger = { key: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
  leaf = await issueEcdsaLeaf(ca, { dnsNames: ['mx1.demo.test'] });
  leafX509 = new X509Certificate(leaf.cert);
  caX509 = new X509Certificate(ca.cert);
  pair = { leaf: pkijsOf(leaf.cert), issuer: pkijsOf(ca.cert) };
});
afterAll(async () => {
  await http.close();
});

/** What a CRL fetch reads from the context: a window, the resolvers (none: the URL is an address), a cache. */
function context(cache = new RevocationCache(), opts: { resolvers?: Array<{ host: string; port: number }>; stageTimeoutMs?: number } = {}): ProbeContext {
  return {
    signal: new AbortController().signal,
    cancel: new AbortController().signal,
    deadline: performance.now() + 10_000,
    stageTimeoutMs: opts.stageTimeoutMs ?? 5_000,
    resolvers: opts.resolvers ?? [],
    revocationCache: cache,
  } as unknown as ProbeContext;
}

/** A cache already holding `der` for `url` (no request). */
async function holding(url: string, der: Buffer): Promise<RevocationCache> {
  const cache = new RevocationCache();
  await cache.crl(url, async (): Promise<CrlDownload> => ({ body: der, etag: null, lastModified: null }));
  return cache;
}

const ocsp = (status: string, id: string, detail: string, detailArgs: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  status,
  detail,
  detailId: id,
  detailArgs,
  thisUpdate: null,
  nextUpdate: null,
  revokedAt: null,
  ...extra,
});

describe('checkOcspStaple', () => {
  const THIS = T0 - DAY;
  const NEXT = T0 + 6 * DAY;
  const dates = { thisUpdate: iso(THIS), nextUpdate: iso(NEXT) };
  const staple = (opts: Parameters<typeof makeOcspResponse>[2]) => makeOcspResponse(ca, leaf.cert, { thisUpdate: new Date(THIS), nextUpdate: new Date(NEXT), ...opts });

  it('good, revoked (with its date) and unknown, each with its dates', async () => {
    expect(await checkOcspStaple(await staple({ status: 'good' }), pair, T0)).toEqual(ocsp('good', 'rev.ocsp-good', 'the stapled OCSP response says good', {}, dates));
    const revokedAt = T0 - 3 * DAY;
    expect(await checkOcspStaple(await staple({ status: 'revoked', revokedAt: new Date(revokedAt) }), pair, T0)).toEqual(
      ocsp('revoked', 'rev.ocsp-revoked-since', `the stapled OCSP response says revoked since ${iso(revokedAt).slice(0, 10)}`, { date: iso(revokedAt).slice(0, 10) }, { ...dates, revokedAt: iso(revokedAt) }),
    );
    expect(await checkOcspStaple(await staple({ status: 'unknown' }), pair, T0)).toEqual(
      ocsp('unknown', 'rev.ocsp-unknown', 'the stapled OCSP response says unknown (the responder does not know the certificate)', {}, dates),
    );
  });

  it('thisUpdate up to 5 minutes ahead of the clock is tolerated; a millisecond more is the future', async () => {
    const good = await staple({ status: 'good' });
    expect(await checkOcspStaple(good, pair, THIS - SKEW)).toMatchObject({ status: 'good' });
    expect(await checkOcspStaple(good, pair, THIS - SKEW - 1)).toEqual(
      ocsp('invalid', 'rev.ocsp-future', `the stapled OCSP response is dated in the future (${iso(THIS)})`, { date: iso(THIS) }, dates),
    );
  });

  it('nextUpdate up to 5 minutes behind the clock is tolerated; a millisecond more is stale', async () => {
    const good = await staple({ status: 'good' });
    expect(await checkOcspStaple(good, pair, NEXT + SKEW)).toMatchObject({ status: 'good' });
    expect(await checkOcspStaple(good, pair, NEXT + SKEW + 1)).toEqual(
      ocsp('invalid', 'rev.ocsp-stale', `the stapled OCSP response is stale (its nextUpdate ${iso(NEXT)} has passed)`, { date: iso(NEXT) }, dates),
    );
    expect(REVOCATION_LIMITS).toEqual({ crlBytes: 10 * 1024 * 1024, redirects: 3, skewMs: SKEW });
  });

  it('an error status is named; one RFC 6960 does not name is given as its number', async () => {
    const errorResponse = (status: number) => {
      const response = new pkijs.OCSPResponse();
      response.responseStatus.valueBlock.valueDec = status;
      return new Uint8Array(response.toSchema().toBER(false));
    };
    expect(await checkOcspStaple(errorResponse(3), pair, T0)).toEqual(ocsp('invalid', 'rev.ocsp-error', 'the stapled OCSP response is an error (tryLater)', { status: 'tryLater' }));
    expect(await checkOcspStaple(errorResponse(1), pair, T0)).toMatchObject({ detail: 'the stapled OCSP response is an error (malformedRequest)' });
    expect(await checkOcspStaple(errorResponse(2), pair, T0)).toMatchObject({ detail: 'the stapled OCSP response is an error (internalError)' });
    expect(await checkOcspStaple(errorResponse(5), pair, T0)).toMatchObject({ detail: 'the stapled OCSP response is an error (sigRequired)' });
    expect(await checkOcspStaple(errorResponse(6), pair, T0)).toMatchObject({ detail: 'the stapled OCSP response is an error (unauthorized)' });
    expect(await checkOcspStaple(errorResponse(4), pair, T0)).toEqual(ocsp('invalid', 'rev.ocsp-error', 'the stapled OCSP response is an error (4)', { status: 4 }));
  });

  it('successful without a basic response, or with another type, or no OCSP response at all', async () => {
    const successful = (bytes?: pkijs.ResponseBytes) => {
      const response = new pkijs.OCSPResponse();
      response.responseStatus.valueBlock.valueDec = 0;
      if (bytes) response.responseBytes = bytes;
      return new Uint8Array(response.toSchema().toBER(false));
    };
    const notBasic = ocsp('invalid', 'rev.ocsp-not-basic', 'the stapled OCSP response is not a basic OCSP response');
    expect(await checkOcspStaple(successful(), pair, T0)).toEqual(notBasic);
    expect(await checkOcspStaple(successful(new pkijs.ResponseBytes({ responseType: '1.2.3.4', response: new asn1js.OctetString({ valueHex: new Uint8Array([5, 0]) }) })), pair, T0)).toEqual(notBasic);
    const unparsable = ocsp('invalid', 'rev.ocsp-unparsable', 'the stapled OCSP response does not parse');
    expect(await checkOcspStaple(new Uint8Array([0x30, 0x03, 0x02, 0x01]), pair, T0)).toEqual(unparsable);
    // a basic response type whose bytes are no BasicOCSPResponse
    expect(await checkOcspStaple(successful(new pkijs.ResponseBytes({ responseType: pkijs.id_PKIX_OCSP_Basic, response: new asn1js.OctetString({ valueHex: new Uint8Array([5, 0]) }) })), pair, T0)).toEqual(unparsable);
  });

  it('signed by another key under the issuer\'s name: the signature does not verify', async () => {
    expect(await checkOcspStaple(await staple({ status: 'good', signer: forger }), pair, T0)).toEqual(
      ocsp('invalid', 'rev.ocsp-bad-signature', "the stapled OCSP response's signature does not verify"),
    );
  });

  it('about another certificate of the same issuer', async () => {
    const other = await issueEcdsaLeaf(ca, { dnsNames: ['other.demo.test'] });
    expect(await checkOcspStaple(await staple({ status: 'good', about: other.cert }), pair, T0)).toEqual(
      ocsp('invalid', 'rev.ocsp-other-certificate', 'the stapled OCSP response is about another certificate'),
    );
  });

  it('a CertID hashed with an algorithm PKI.js does not know: signed by the issuer, but matched to no certificate', async () => {
    // 1.2.3.4 is no hash: getCertificateStatus throws naming it (the signature, over the whole response, verifies)
    expect(await checkOcspStaple(await staple({ status: 'good', certIdHash: '1.2.3.4' }), pair, T0)).toEqual(
      ocsp('invalid', 'rev.ocsp-unmatched', 'the stapled OCSP response cannot be matched to the certificate'),
    );
  });

  /** A leaf and a delegated OCSP responder (id-kp-OCSPSigning) both issued by `issuer`: the responder's 'good' is believed. */
  async function expectDelegatedGood(issuer: { cert: string; key: Parameters<typeof makeOcspResponse>[0]['key'] }): Promise<void> {
    const under = await issueEcdsaLeaf({ ...issuer, chain: [] }, { dnsNames: ['mx1.demo.test'] });
    const responder = await issueEcdsaLeaf({ ...issuer, chain: [] }, { commonName: 'ocsp.demo.test', keyPurposes: [OCSP_SIGNING] });
    const response = await makeOcspResponse(issuer, under.cert, { status: 'good', thisUpdate: new Date(THIS), nextUpdate: new Date(NEXT), responder });
    expect(await checkOcspStaple(response, { leaf: pkijsOf(under.cert), issuer: pkijsOf(issuer.cert) }, T0)).toEqual(ocsp('good', 'rev.ocsp-good', 'the stapled OCSP response says good', {}, dates));
  }

  it('a responder the issuer delegated to (id-kp-OCSPSigning), attaching its certificate, is believed', async () => {
    const realCa = await issueEcdsaLeaf(null, { commonName: 'rev-real-ca.demo.test', curve: 'secp384r1', isCa: true });
    await expectDelegatedGood(realCa);
  });

  it('a responder delegated by an intermediate: its chain ends at the issuer, trusted as the TLS chain verified it', async () => {
    const root = await issueEcdsaLeaf(null, { commonName: 'rev-root.demo.test', curve: 'secp384r1', isCa: true });
    const intermediate = await issueEcdsaLeaf({ cert: root.cert, key: root.key, chain: [] }, { commonName: 'rev-intermediate.demo.test', isCa: true });
    await expectDelegatedGood(intermediate);
  });

  it('a responder the issuer did not delegate to (no id-kp-OCSPSigning) is not believed', async () => {
    const server = await issueEcdsaLeaf(ca, { commonName: 'not-ocsp.demo.test' });
    const refused = await checkOcspStaple(await staple({ status: 'good', responder: server }), pair, T0);
    expect({ status: refused.status, detailId: refused.detailId }).toEqual({ status: 'invalid', detailId: 'rev.ocsp-signer' });
    expect(refused.detail).toBe(`the stapled OCSP response is not signed by the certificate's issuer or its responder (${String(refused.detailArgs.error)})`);
    expect(String(refused.detailArgs.error)).not.toBe('');
  });
});

describe('checkCrl', () => {
  const url = 'http://crl.demo.test/ca.crl';
  const NEXT = T0 + 7 * DAY;
  const THIS = T0 - DAY;
  const crlResult = (status: string, id: string, detail: string, detailArgs: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    url,
    status,
    detail,
    detailId: id,
    detailArgs,
    thisUpdate: null,
    nextUpdate: null,
    revokedAt: null,
    bytes: null,
    ...extra,
  });

  it('good: not listed, with the CRL\'s dates and size', async () => {
    const der = await makeCrl(ca, { thisUpdate: new Date(THIS), nextUpdate: new Date(NEXT), revoked: ['0badc0de'] });
    expect(await checkCrl(context(await holding(url, der)), url, { leafX509, issuerX509: caX509 }, T0)).toEqual(
      crlResult('good', 'rev.crl-good', `the CRL at ${url} does not list the certificate`, { url }, { thisUpdate: iso(THIS), nextUpdate: iso(NEXT), bytes: der.length }),
    );
  });

  it('revoked: listed, with the revocation date', async () => {
    const der = await makeCrl(ca, { thisUpdate: new Date(THIS), nextUpdate: new Date(NEXT), revoked: [leaf.serial] });
    const cache = await holding(url, der);
    const found = await checkCrl(context(cache), url, { leafX509, issuerX509: caX509 }, T0);
    const revokedAt = found.revokedAt ?? '';
    expect(Date.parse(revokedAt)).toBeGreaterThan(T0 - 3 * DAY);
    expect(Date.parse(revokedAt)).toBeLessThan(T0 - DAY);
    expect(found).toEqual(
      crlResult('revoked', 'rev.crl-revoked-since', `the CRL at ${url} lists the certificate as revoked since ${revokedAt.slice(0, 10)}`, { url, date: revokedAt.slice(0, 10) }, {
        thisUpdate: iso(THIS),
        nextUpdate: iso(NEXT),
        bytes: der.length,
        revokedAt,
      }),
    );
    // a second look reads the same held CRL (and its dates, kept per CRL) the same way
    expect(await checkCrl(context(cache), url, { leafX509, issuerX509: caX509 }, T0)).toEqual(found);
  });

  it('revoked, listed without a revocation date: the sentence without one', async () => {
    // makeCrl (PKI.js) always writes the date; the asn1js builder can leave it out
    const der = signedCrl({ issuer: ca.cert, thisUpdate: utc(new Date(THIS)), nextUpdate: utc(new Date(NEXT)), entries: [{ serial: leaf.serial }], signatureOid: OID.ecdsaSha256 }, createPrivateKey(ca.key)).der;
    expect(await checkCrl(context(await holding(url, der)), url, { leafX509, issuerX509: caX509 }, T0)).toEqual(
      crlResult('revoked', 'rev.crl-revoked', `the CRL at ${url} lists the certificate as revoked`, { url }, { thisUpdate: iso(THIS), nextUpdate: iso(NEXT), bytes: der.length }),
    );
  });

  it('signed by another key under the issuer\'s name: not believed', async () => {
    const der = await makeCrl(ca, { thisUpdate: new Date(THIS), nextUpdate: new Date(NEXT), signer: forger });
    expect(await checkCrl(context(await holding(url, der)), url, { leafX509, issuerX509: caX509 }, T0)).toEqual(
      crlResult('invalid', 'rev.crl-signer', `the CRL at ${url} is not signed by the certificate's issuer`, { url }, { thisUpdate: iso(THIS), nextUpdate: iso(NEXT), bytes: der.length }),
    );
  });

  it('stale only when nextUpdate is more than 5 minutes past; without nextUpdate never', async () => {
    const der = await makeCrl(ca, { thisUpdate: new Date(THIS), nextUpdate: new Date(NEXT) });
    const cache = await holding(url, der);
    const pairX = { leafX509, issuerX509: caX509 };
    expect(await checkCrl(context(cache), url, pairX, NEXT + SKEW)).toMatchObject({ status: 'good' });
    expect(await checkCrl(context(cache), url, pairX, NEXT + SKEW + 1)).toEqual(
      crlResult('invalid', 'rev.crl-stale', `the CRL at ${url} is stale (its nextUpdate ${iso(NEXT)} has passed)`, { url, date: iso(NEXT) }, { thisUpdate: iso(THIS), nextUpdate: iso(NEXT), bytes: der.length }),
    );
    const open = await makeCrl(ca, { thisUpdate: new Date(THIS), nextUpdate: null });
    expect(await checkCrl(context(await holding(url, open)), url, pairX, T0 + 400 * DAY)).toMatchObject({ status: 'good', nextUpdate: null });
  });

  it('fetched over HTTP when not held: unavailable with the reason, unparsable with the size', async () => {
    http.routes['/503.crl'] = (_req, res) => res.writeHead(503).end();
    const down = http.url('/503.crl');
    expect(await checkCrl(context(), down, { leafX509, issuerX509: caX509 }, T0)).toEqual({
      ...crlResult('unavailable', 'rev.crl-unavailable', `the CRL at ${down} could not be fetched: HTTP 503`, { url: down, why: 'HTTP 503' }),
      url: down,
    });
    const junk = Buffer.from('not a CRL at all');
    http.routes['/junk.crl'] = junk;
    const bad = http.url('/junk.crl');
    expect(await checkCrl(context(), bad, { leafX509, issuerX509: caX509 }, T0)).toEqual({
      ...crlResult('invalid', 'rev.crl-unparsable', `the CRL at ${bad} does not parse`, { url: bad }, { bytes: junk.length }),
      url: bad,
    });
  });
});

describe('checkRevocation', () => {
  it('off: unchecked, nothing looked at', async () => {
    expect(await checkRevocation(context(), leafX509, caX509, null, 'off', T0)).toEqual({
      mode: 'off',
      status: 'unchecked',
      source: null,
      ocsp: null,
      crl: [],
      detail: 'revocation not checked (--revocation off)',
      detailId: 'rev.off',
      detailArgs: {},
      revokedAt: null,
    });
    expect(uncheckedRevocation('soft', say('rev.off'))).toMatchObject({ mode: 'soft', status: 'unchecked', detailId: 'rev.off' });
  });

  it('no issuer: unknown', async () => {
    expect(await checkRevocation(context(), leafX509, undefined, null, 'hard', T0)).toEqual({
      mode: 'hard',
      status: 'unknown',
      source: null,
      ocsp: null,
      crl: [],
      detail: 'the issuer is unknown, so revocation cannot be checked',
      detailId: 'rev.issuer-unknown',
      detailArgs: {},
      revokedAt: null,
    });
  });

  it('no staple and no HTTP CRL: unknown, naming the OCSP responder when there is one', async () => {
    const none = { mode: 'soft', status: 'unknown', source: null, ocsp: null, crl: [], revokedAt: null };
    expect(await checkRevocation(context(), leafX509, caX509, null, 'soft', T0)).toEqual({
      ...none,
      detail: 'the certificate names no CRL distribution point or OCSP responder, and the server staples no OCSP response',
      detailId: 'rev.no-source',
      detailArgs: {},
    });
    const ldapOnly = new X509Certificate((await issueEcdsaLeaf(ca, { dnsNames: ['mx1.demo.test'], crlUrl: 'ldap://ldap.demo.test/cn=ca?http://crl.demo.test/', ocspUrl: 'http://ocsp.demo.test/' })).cert);
    expect(await checkRevocation(context(), ldapOnly, caX509, new Uint8Array(0), 'soft', T0)).toEqual({
      ...none,
      detail: 'the server staples no OCSP response and the certificate names no HTTP CRL (only an OCSP responder, http://ocsp.demo.test/, which the prober does not query)',
      detailId: 'rev.only-ocsp',
      detailArgs: { url: 'http://ocsp.demo.test/' },
    });
  });

  it('a good or revoked staple settles it: the CRL is not fetched', async () => {
    http.routes['/never.crl'] = (_req, res) => res.writeHead(500).end();
    const withCrl = await issueEcdsaLeaf(ca, { dnsNames: ['mx1.demo.test'], crlUrl: http.url('/never.crl') });
    const x509 = new X509Certificate(withCrl.cert);
    const good = await makeOcspResponse(ca, withCrl.cert, { status: 'good' });
    const cache = new RevocationCache();
    const result = await checkRevocation(context(cache), x509, caX509, good, 'hard', T0);
    expect(result).toMatchObject({ mode: 'hard', status: 'good', source: 'ocsp-staple', crl: [], detailId: 'rev.ocsp-good', detail: 'the stapled OCSP response says good', revokedAt: null });
    expect(result.ocsp).toMatchObject({ status: 'good' });
    const revokedAt = new Date(T0 - 2 * DAY);
    const revoked = await checkRevocation(context(cache), x509, caX509, await makeOcspResponse(ca, withCrl.cert, { status: 'revoked', revokedAt }), 'soft', T0);
    expect(revoked).toMatchObject({ status: 'revoked', source: 'ocsp-staple', crl: [], detailId: 'rev.ocsp-revoked-since', revokedAt: revokedAt.toISOString() });
    expect(cache.stats().misses).toBe(0);
    expect(http.requests.filter((p) => p === '/never.crl')).toEqual([]);
  });

  it('a good staple for a certificate that names no CRL', async () => {
    const good = await makeOcspResponse(ca, leaf.cert, { status: 'good' });
    expect(await checkRevocation(context(), leafX509, caX509, good, 'hard', T0)).toMatchObject({ status: 'good', source: 'ocsp-staple', crl: [], detailId: 'rev.ocsp-good' });
  });

  it('an unusable staple falls through to the CRL, which decides; HTTP: in any case is a CRL to fetch', async () => {
    const path = '/leaf-ok.crl';
    const withCrl = await issueEcdsaLeaf(ca, { dnsNames: ['mx1.demo.test'], crlUrl: http.url(path).replace(/^http:/, 'HTTP:') });
    http.routes[path] = await makeCrl(ca, { revoked: ['0badc0de'] });
    const unknownStaple = await makeOcspResponse(ca, withCrl.cert, { status: 'unknown' });
    const result = await checkRevocation(context(), new X509Certificate(withCrl.cert), caX509, unknownStaple, 'soft', T0);
    expect(result).toMatchObject({ status: 'good', source: 'crl', detailId: 'rev.crl-good', revokedAt: null, ocsp: { status: 'unknown' } });
    expect(result.crl.map((c) => c.status)).toEqual(['good']);

    const revokedPath = '/leaf-revoked.crl';
    const listed = await issueEcdsaLeaf(ca, { dnsNames: ['mx1.demo.test'], crlUrl: http.url(revokedPath) });
    http.routes[revokedPath] = await makeCrl(ca, { revoked: [listed.serial] });
    const revoked = await checkRevocation(context(), new X509Certificate(listed.cert), caX509, null, 'soft', T0);
    expect(revoked).toMatchObject({ status: 'revoked', source: 'crl', ocsp: null, detailId: 'rev.crl-revoked-since' });
    expect(revoked.revokedAt).toBe(revoked.crl[0]?.revokedAt);
    expect(revoked.revokedAt).not.toBeNull();
  });

  it('nothing answers: unknown, every failed source in order, the staple first', async () => {
    const path = '/leaf-down.crl';
    http.routes[path] = (_req, res) => res.writeHead(404).end();
    const withCrl = await issueEcdsaLeaf(ca, { dnsNames: ['mx1.demo.test'], crlUrl: http.url(path) });
    const forged = await makeOcspResponse(ca, withCrl.cert, { status: 'good', signer: forger });
    const result = await checkRevocation(context(), new X509Certificate(withCrl.cert), caX509, forged, 'hard', T0);
    const crlDetail = `the CRL at ${http.url(path)} could not be fetched: HTTP 404`;
    expect(result).toMatchObject({
      mode: 'hard',
      status: 'unknown',
      source: null,
      revokedAt: null,
      ocsp: { status: 'invalid', detailId: 'rev.ocsp-bad-signature' },
      crl: [{ status: 'unavailable', detail: crlDetail }],
      detailId: 'rev.both',
      detail: `the stapled OCSP response's signature does not verify; ${crlDetail}`,
    });
    // the CRL alone: its own sentence, not joined
    const alone = await checkRevocation(context(), new X509Certificate(withCrl.cert), caX509, null, 'soft', T0);
    expect(alone).toMatchObject({ status: 'unknown', ocsp: null, detailId: 'rev.crl-unavailable', detail: crlDetail, detailArgs: { url: http.url(path), why: 'HTTP 404' } });
  });
});

describe('revocationOf: answered at once from the cache, else a promise', () => {
  it('a CRL held fresh answers without a promise, as checkRevocation does, one hit a lookup', async () => {
    const path = '/held.crl';
    http.routes[path] = (_req, res) => res.writeHead(500).end();
    const withCrl = await issueEcdsaLeaf(ca, { dnsNames: ['mx1.demo.test'], crlUrl: http.url(path) });
    const x509 = new X509Certificate(withCrl.cert);
    const cache = await holding(http.url(path), await makeCrl(ca, { revoked: ['0badc0de'] }));
    const answer = revocationOf(context(cache), x509, caX509, null, 'hard', T0);
    expect(answer).not.toBeInstanceOf(Promise);
    expect(answer).toMatchObject({ mode: 'hard', status: 'good', source: 'crl', ocsp: null, detailId: 'rev.crl-good', revokedAt: null });
    expect(await checkRevocation(context(cache), x509, caX509, null, 'hard', T0)).toEqual(answer);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, downloads: 1 });
    expect(http.requests.filter((p) => p === path)).toEqual([]);
  });

  it('a staple, or a CRL not held, is a promise; a held CRL that cannot answer is kept and the next one fetched', async () => {
    const other = await issueEcdsaLeaf(null, { commonName: 'other-ca.demo.test' });
    const first = http.url('/held-other-signer.crl');
    const second = '/fetched-second.crl';
    http.routes['/held-other-signer.crl'] = (_req, res) => res.writeHead(500).end();
    http.routes[second] = await makeCrl(ca, {});
    const two = await issueEcdsaLeaf(ca, { dnsNames: ['mx1.demo.test'], crlUrls: [first, http.url(second)] });
    const cache = await holding(first, await makeCrl(other, {}));
    const pending = revocationOf(context(cache), new X509Certificate(two.cert), caX509, null, 'soft', T0);
    expect(pending).toBeInstanceOf(Promise);
    const found = await pending;
    expect(found).toMatchObject({ status: 'good', source: 'crl', detailId: 'rev.crl-good' });
    expect(found.crl.map((c) => [c.url, c.status, c.detailId])).toEqual([
      [first, 'invalid', 'rev.crl-signer'],
      [http.url(second), 'good', 'rev.crl-good'],
    ]);
    // the held one looked up once (a hit), the other fetched once (a miss), the first never requested
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2 });
    expect(http.requests.filter((p) => p === second)).toHaveLength(1);
    expect(http.requests.filter((p) => p === '/held-other-signer.crl')).toEqual([]);
    const staple = await makeOcspResponse(ca, two.cert, { status: 'good' });
    const stapled = revocationOf(context(cache), new X509Certificate(two.cert), caX509, staple, 'soft', T0);
    expect(stapled).toBeInstanceOf(Promise);
    expect(await stapled).toMatchObject({ status: 'good', source: 'ocsp-staple', crl: [] });
  });
});

describe('fetching a CRL over HTTP', () => {
  const pairX = () => ({ leafX509, issuerX509: caX509 });
  const why = async (url: string, ctx = context()) => {
    const found = await checkCrl(ctx, url, pairX(), T0);
    return { status: found.status, why: found.detailArgs.why };
  };

  it('the request asks for a CRL; a revalidation sends the validators and takes a 304', async () => {
    let clock = T0;
    const cache = new RevocationCache({ now: () => clock });
    const der = await makeCrl(ca, { nextUpdate: new Date(Date.now() + 7 * DAY) });
    const seen: Array<Record<string, unknown>> = [];
    http.routes['/validators.crl'] = (req, res) => {
      seen.push({ accept: req.headers.accept, inm: req.headers['if-none-match'], ims: req.headers['if-modified-since'] });
      if (req.headers['if-none-match']) return void res.writeHead(304).end();
      res.writeHead(200, { etag: '"e1"', 'last-modified': 'Sun, 29 Nov 2026 00:00:00 GMT', 'content-length': der.length }).end(der);
    };
    const url = http.url('/validators.crl');
    expect(await checkCrl(context(cache), url, pairX())).toMatchObject({ status: 'good', bytes: der.length });
    clock += 2 * DAY;
    expect(await checkCrl(context(cache), url, pairX())).toMatchObject({ status: 'good', bytes: der.length });
    expect(seen).toEqual([
      { accept: 'application/pkix-crl, */*', inm: undefined, ims: undefined },
      { accept: 'application/pkix-crl, */*', inm: '"e1"', ims: 'Sun, 29 Nov 2026 00:00:00 GMT' },
    ]);
    expect(cache.stats()).toMatchObject({ refreshes: 1, notModified: 1, downloads: 1 });
  });

  it('only the Last-Modified validator: still a conditional request', async () => {
    let clock = T0;
    const cache = new RevocationCache({ now: () => clock });
    const der = await makeCrl(ca, { nextUpdate: new Date(Date.now() + 7 * DAY) });
    const seen: Array<string | undefined> = [];
    http.routes['/lm.crl'] = (req, res) => {
      seen.push(req.headers['if-modified-since']);
      if (req.headers['if-modified-since']) return void res.writeHead(304).end();
      res.writeHead(200, { 'last-modified': 'Sat, 28 Nov 2026 00:00:00 GMT' }).end(der);
    };
    const url = http.url('/lm.crl');
    await checkCrl(context(cache), url, pairX());
    clock += 2 * DAY;
    expect(await checkCrl(context(cache), url, pairX())).toMatchObject({ status: 'good' });
    expect(seen).toEqual([undefined, 'Sat, 28 Nov 2026 00:00:00 GMT']);
  });

  it('a revalidation answered 200: the new CRL replaces the one held', async () => {
    let clock = T0;
    const cache = new RevocationCache({ now: () => clock });
    const before = await makeCrl(ca, { nextUpdate: new Date(Date.now() + 7 * DAY) });
    const after = await makeCrl(ca, { nextUpdate: new Date(Date.now() + 7 * DAY), revoked: [leaf.serial] });
    let served = before;
    http.routes['/reissued.crl'] = (_req, res) => res.writeHead(200, { etag: served === before ? '"e1"' : '"e2"' }).end(served);
    const url = http.url('/reissued.crl');
    expect(await checkCrl(context(cache), url, pairX())).toMatchObject({ status: 'good', bytes: before.length });
    served = after;
    clock += 2 * DAY;
    expect(await checkCrl(context(cache), url, pairX())).toMatchObject({ status: 'revoked', detailId: 'rev.crl-revoked-since', bytes: after.length });
    expect(cache.stats()).toMatchObject({ refreshes: 1, notModified: 0, downloads: 2 });
  });

  it('a 200 with a Location header is the CRL itself, not a redirect', async () => {
    const der = await makeCrl(ca);
    http.routes['/200-location.crl'] = (_req, res) => res.writeHead(200, { location: '/nowhere.crl' }).end(der);
    http.routes['/nowhere.crl'] = (_req, res) => res.writeHead(404).end();
    expect(await checkCrl(context(), http.url('/200-location.crl'), pairX(), T0)).toMatchObject({ status: 'good', bytes: der.length });
  });

  it('a 304 to a request without validators is an HTTP status like any other', async () => {
    http.routes['/304.crl'] = (_req, res) => res.writeHead(304).end();
    expect(await why(http.url('/304.crl'))).toEqual({ status: 'unavailable', why: 'HTTP 304' });
  });

  it('redirects: followed up to 3, relative ones too; a fourth is refused; never to https:', async () => {
    const der = await makeCrl(ca);
    http.routes['/r/final.crl'] = der;
    http.routes['/r/1'] = (_req, res) => res.writeHead(302, { location: '/r/2' }).end();
    http.routes['/r/2'] = (_req, res) => res.writeHead(301, { location: 'final.crl' }).end();
    expect(await checkCrl(context(), http.url('/r/1'), pairX(), T0)).toMatchObject({ status: 'good', bytes: der.length });
    for (let i = 0; i < 4; i++) http.routes[`/loop/${i}`] = (_req, res) => res.writeHead(307, { location: `/loop/${i + 1}` }).end();
    http.routes['/loop/4'] = der;
    expect(await why(http.url('/loop/0'))).toEqual({ status: 'unavailable', why: 'more than 3 redirects' });
    expect(await checkCrl(context(), http.url('/loop/1'), pairX(), T0)).toMatchObject({ status: 'good' });
    http.routes['/to-https'] = (_req, res) => res.writeHead(302, { location: 'https://127.0.0.1/x.crl' }).end();
    expect(await why(http.url('/to-https'))).toEqual({ status: 'unavailable', why: 'not an http: URL (https:)' });
    // the 3xx range exactly: a 300 with Location is followed, a 400 with one is not
    http.routes['/300'] = (_req, res) => res.writeHead(300, { location: '/r/final.crl' }).end();
    expect(await checkCrl(context(), http.url('/300'), pairX(), T0)).toMatchObject({ status: 'good' });
    http.routes['/400'] = (_req, res) => res.writeHead(400, { location: '/r/final.crl' }).end();
    expect(await why(http.url('/400'))).toEqual({ status: 'unavailable', why: 'HTTP 400' });
    // a 3xx without Location is a status like any other
    http.routes['/no-location'] = (_req, res) => res.writeHead(302).end();
    expect(await why(http.url('/no-location'))).toEqual({ status: 'unavailable', why: 'HTTP 302' });
  });

  it('a redirect whose Location is no URL: unavailable, naming why (it used to throw out of the HTTP parser, an uncaught exception)', async () => {
    http.routes['/bad-location'] = (_req, res) => res.writeHead(302, { location: 'http://[::1' }).end();
    expect(await why(http.url('/bad-location'))).toEqual({ status: 'unavailable', why: 'a redirect to an invalid URL' });
  });

  it('a URL that does not parse: Node\'s reason; in a probe already cancelled, no answer in time', async () => {
    expect(await why('http://[::1/ca.crl')).toEqual({ status: 'unavailable', why: 'Invalid URL' });
    const cancelled = new AbortController();
    cancelled.abort();
    const ctx = { ...context(), signal: cancelled.signal, cancel: cancelled.signal } as ProbeContext;
    expect(await why('http://[::1/ca.crl', ctx)).toEqual({ status: 'unavailable', why: 'no answer in time' });
  });

  it('larger than 10 MiB: refused by its Content-Length, or while it streams', async () => {
    const limit = REVOCATION_LIMITS.crlBytes;
    http.routes['/declared.crl'] = (_req, res) => {
      res.writeHead(200, { 'content-length': limit + 1 });
      res.write(Buffer.alloc(16));
    };
    expect(await why(http.url('/declared.crl'))).toEqual({ status: 'unavailable', why: `larger than ${limit} bytes (Content-Length ${limit + 1})` });
    http.routes['/exact.crl'] = (_req, res) => res.writeHead(200, { 'content-length': limit }).end(Buffer.alloc(limit));
    expect(await checkCrl(context(), http.url('/exact.crl'), pairX(), T0)).toMatchObject({ status: 'invalid', bytes: limit });
    http.routes['/streamed.crl'] = (_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < 10; i++) res.write(chunk);
      res.end(Buffer.alloc(1));
    };
    expect(await why(http.url('/streamed.crl'))).toEqual({ status: 'unavailable', why: `larger than ${limit} bytes` });
  });

  it('a body cut short, or one that stops coming within the stage window', async () => {
    http.routes['/cut.crl'] = (_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(10), () => res.socket?.destroy());
    };
    const cut = await why(http.url('/cut.crl'));
    expect(cut).toEqual({ status: 'unavailable', why: 'aborted' });
    http.routes['/stalled.crl'] = (_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(10));
    };
    expect(await why(http.url('/stalled.crl'), context(new RevocationCache(), { stageTimeoutMs: 300 }))).toEqual({ status: 'unavailable', why: 'no answer in time' });
  });

  it('no answer within the stage window; a refused connection by its code', async () => {
    http.routes['/silent.crl'] = () => {};
    const started = performance.now();
    expect(await why(http.url('/silent.crl'), context(new RevocationCache(), { stageTimeoutMs: 300 }))).toEqual({ status: 'unavailable', why: 'no answer in time' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await why(`http://127.0.0.1:${await closedPort()}/x.crl`)).toEqual({ status: 'unavailable', why: 'ECONNREFUSED' });
  });

  it('a CRL host is resolved through the probe\'s own resolvers (IPv4 and IPv6 servers); a name with no address is unavailable', async () => {
    const der = await makeCrl(ca);
    http.routes['/named.crl'] = der;
    // one name per server: a kept-alive connection to a name already resolved would ask nothing
    const zone = { 'crl4.demo.test': { A: ['127.0.0.1'] }, 'crl6.demo.test': { A: ['127.0.0.1'] } };
    const dns4 = await startDns(zone);
    const dns6 = await startDns(zone, { host: '::1' });
    try {
      for (const [server, name] of [
        [dns4, 'crl4.demo.test'],
        [dns6, 'crl6.demo.test'],
      ] as const) {
        const ctx = context(new RevocationCache(), { resolvers: [{ host: server.host, port: server.port }] });
        expect(await checkCrl(ctx, `http://${name}:${http.port}/named.crl`, pairX(), T0)).toMatchObject({ status: 'good', bytes: der.length });
        expect(server.queries.map((q) => q.name)).toContain(name);
      }
      expect(dns6.host).toBe('::1');
      const ctx = context(new RevocationCache(), { resolvers: [{ host: dns4.host, port: dns4.port }] });
      const missing = await why(`http://missing.demo.test:${http.port}/named.crl`, ctx);
      expect(missing.status).toBe('unavailable');
      expect(['ENOTFOUND', 'ENODATA']).toContain(missing.why);
    } finally {
      await dns4.close();
      await dns6.close();
    }
  });
});
