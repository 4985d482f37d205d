/**
 * probes/revocation-cache.ts by itself: a fixed clock, fetchers that are plain functions
 * (what each was asked, what it answers), CRLs made by the fixtures and signed by ECDSA
 * certificates (fast to sign). The exact counters, freshness instants, validators and
 * bounds. The same cache end to end, behind probes of loopback servers, is
 * test/revocation-cache.test.ts.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { BroadcastChannel } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRevocationCache, RevocationCache, REVOCATION_CACHE_LIMITS, type CachedCrl, type CrlDownload, type CrlLookup } from '../probes/revocation-cache.js';
import { issueEcdsaLeaf, makeCrl, type PkiLeaf } from './fixtures/index.js';

const SECOND = 1000;
const DAY = 86_400_000;
/** The fixed clock's start: a whole second (CRL times are whole seconds). */
const T0 = Math.floor(Date.now() / SECOND) * SECOND;
const URL_A = 'http://crl.demo.test/a.crl';

type Validators = { etag: string | null; lastModified: string | null };

/** A fetcher that answers from a list, one answer per call, and records the validators it was given. */
function fetcher(...answers: Array<CrlDownload | Error>) {
  const asked: Validators[] = [];
  const fetch = async (v: Validators): Promise<CrlDownload> => {
    asked.push(v);
    const answer = answers[Math.min(asked.length - 1, answers.length - 1)];
    if (!answer) throw new Error('no answer');
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetch, asked };
}

const body = (der: Buffer, etag: string | null = null, lastModified: string | null = null): CrlDownload => ({ body: der, etag, lastModified });
const okCrl = (found: CrlLookup): CachedCrl => {
  if (found.status !== 'ok') throw new Error(`expected a CRL, got ${JSON.stringify(found)}`);
  return found.crl;
};

let ca: PkiLeaf;
/** Same name as `ca`, same key, another certificate. */
let sameKey: PkiLeaf;
/** Same name, another key. */
let otherKey: PkiLeaf;
/** Same key, another name. */
let otherName: PkiLeaf;
let crl7: Buffer;

beforeAll(async () => {
  ca = await issueEcdsaLeaf(null, { commonName: 'crl-ca.demo.test' });
  sameKey = await issueEcdsaLeaf(null, { commonName: 'crl-ca.demo.test' });
  otherKey = await issueEcdsaLeaf(null, { commonName: 'crl-ca.demo.test', curve: 'secp384r1' });
  otherName = await issueEcdsaLeaf(null, { commonName: 'other-ca.demo.test' });
  crl7 = await makeCrl(ca, { thisUpdate: new Date(T0 - DAY), nextUpdate: new Date(T0 + 7 * DAY), revoked: ['00c0ffee'] });
});

const ZERO = { hits: 0, misses: 0, refreshes: 0, notModified: 0, downloads: 0, downloadedBytes: 0, workerParses: 0, evictions: 0, entries: 0, bytes: 0 };

describe('the bounds and the process-wide cache', () => {
  it('defaults are the stated limits; each can be set', () => {
    const cache = new RevocationCache();
    expect({ maxEntries: cache.maxEntries, maxBytes: cache.maxBytes, workerBytes: cache.workerBytes, maxAgeMs: cache.maxAgeMs }).toEqual({
      maxEntries: 256,
      maxBytes: 32 * 1024 * 1024,
      workerBytes: 1024 * 1024,
      maxAgeMs: DAY,
    });
    expect(REVOCATION_CACHE_LIMITS).toEqual({ entries: 256, bytes: 32 * 1024 * 1024, workerBytes: 1024 * 1024, maxAgeMs: DAY });
    const set = new RevocationCache({ maxEntries: 1, maxBytes: 2, workerBytes: 3, maxAgeMs: 4 });
    expect({ maxEntries: set.maxEntries, maxBytes: set.maxBytes, workerBytes: set.workerBytes, maxAgeMs: set.maxAgeMs }).toEqual({ maxEntries: 1, maxBytes: 2, workerBytes: 3, maxAgeMs: 4 });
    expect(set.stats()).toEqual(ZERO);
  });

  it('defaultRevocationCache is one cache per process', () => {
    expect(defaultRevocationCache()).toBeInstanceOf(RevocationCache);
    expect(defaultRevocationCache()).toBe(defaultRevocationCache());
  });

  it('the real clock when none is given: a CRL fetched now is fresh', async () => {
    const cache = new RevocationCache();
    const f = fetcher(body(crl7));
    await cache.crl(URL_A, f.fetch);
    expect(await cache.crl(URL_A, f.fetch)).toMatchObject({ status: 'ok', from: 'cache' });
    expect(f.asked).toHaveLength(1);
  });
});

describe('a CRL downloaded, held, then served', () => {
  it('a miss downloads; the entry holds the parsed CRL, its validators and its freshness; then the cache answers', async () => {
    const clock = T0;
    const cache = new RevocationCache({ now: () => clock });
    const f = fetcher(body(crl7, '"v1"', 'Mon, 30 Nov 2026 00:00:00 GMT'));
    const first = await cache.crl(URL_A, f.fetch);
    expect(first).toMatchObject({ status: 'ok', from: 'network' });
    const crl = okCrl(first);
    expect({ ...crl, issuerDer: typeof crl.issuerDer, signed: crl.signed && Object.keys(crl.signed).sort(), lib: typeof crl.lib.parseCrl }).toEqual({
      url: URL_A,
      issuerDer: 'string',
      thisUpdate: new Date(T0 - DAY),
      nextUpdate: new Date(T0 + 7 * DAY),
      revoked: new Map([['C0FFEE', crl.revoked.get('C0FFEE')]]),
      bytes: crl7.length,
      etag: '"v1"',
      lastModified: 'Mon, 30 Nov 2026 00:00:00 GMT',
      // a day's cap comes first: 7 days ahead is later than now + maxAgeMs
      freshUntil: T0 + DAY,
      signed: ['signature', 'signatureOid', 'tbs'],
      signerKey: null,
      issuers: new Map(),
      lib: 'function',
    });
    expect(crl.revoked.get('C0FFEE')).toBeInstanceOf(Date);
    expect(f.asked).toEqual([{ etag: null, lastModified: null }]);
    const again = await cache.crl(URL_A, f.fetch);
    expect(again).toEqual({ status: 'ok', crl, from: 'cache' });
    expect(f.asked).toHaveLength(1);
    expect(cache.stats()).toEqual({ ...ZERO, hits: 1, misses: 1, downloads: 1, downloadedBytes: crl7.length, entries: 1, bytes: crl7.length });
  });

  it('fresh until min(nextUpdate, now + maxAgeMs): the last millisecond before is served, the instant itself revalidates', async () => {
    let clock = T0;
    const cache = new RevocationCache({ now: () => clock, maxAgeMs: 30 * DAY });
    const f = fetcher(body(crl7, '"v1"'), { notModified: true });
    expect(okCrl(await cache.crl(URL_A, f.fetch)).freshUntil).toBe(T0 + 7 * DAY);
    clock = T0 + 7 * DAY - 1;
    expect(await cache.crl(URL_A, f.fetch)).toMatchObject({ from: 'cache' });
    clock = T0 + 7 * DAY;
    const revalidated = await cache.crl(URL_A, f.fetch);
    expect(revalidated).toMatchObject({ status: 'ok', from: 'revalidated' });
    // nextUpdate has passed: the cap decides from now on
    expect(okCrl(revalidated).freshUntil).toBe(T0 + 7 * DAY);
    expect(f.asked).toEqual([
      { etag: null, lastModified: null },
      { etag: '"v1"', lastModified: null },
    ]);
  });

  it('a CRL without nextUpdate is fresh for maxAgeMs', async () => {
    const none = await makeCrl(ca, { nextUpdate: null });
    const cache = new RevocationCache({ now: () => T0, maxAgeMs: 5 * SECOND });
    const crl = okCrl(await cache.crl(URL_A, fetcher(body(none)).fetch));
    expect({ nextUpdate: crl.nextUpdate, freshUntil: crl.freshUntil }).toEqual({ nextUpdate: null, freshUntil: T0 + 5 * SECOND });
  });

  it('lookups while a download is under way share it; once it settles, the next one asks again', async () => {
    let clock = T0;
    const cache = new RevocationCache({ now: () => clock });
    let release: (d: CrlDownload) => void = () => {};
    const asked: Validators[] = [];
    const slow = (v: Validators) => {
      asked.push(v);
      return new Promise<CrlDownload>((resolve) => (release = resolve));
    };
    const a = cache.crl(URL_A, slow);
    const b = cache.crl(URL_A, slow);
    await Promise.resolve();
    release(body(crl7));
    const [ra, rb] = await Promise.all([a, b]);
    expect(rb).toBe(ra);
    expect(asked).toHaveLength(1);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, downloads: 1 });
    clock += 2 * DAY;
    const c = cache.crl(URL_A, slow);
    await Promise.resolve();
    release({ notModified: true });
    expect(await c).toMatchObject({ status: 'ok', from: 'revalidated' });
    expect(asked).toHaveLength(2);
  });

  it('revalidation sends both validators; a 304 keeps the entry; a new body replaces it, weighed anew', async () => {
    let clock = T0;
    const cache = new RevocationCache({ now: () => clock });
    const bigger = await makeCrl(ca, { nextUpdate: new Date(T0 + 30 * DAY), revoked: ['00c0ffee', '0badc0de', '01'] });
    const f = fetcher(body(crl7, '"v1"', 'Sun, 29 Nov 2026 00:00:00 GMT'), { notModified: true }, body(bigger, '"v2"', null));
    const held = okCrl(await cache.crl(URL_A, f.fetch));
    clock = T0 + 2 * DAY;
    const kept = await cache.crl(URL_A, f.fetch);
    expect(kept).toEqual({ status: 'ok', crl: held, from: 'revalidated' });
    expect(held.freshUntil).toBe(T0 + 3 * DAY);
    expect(cache.stats()).toEqual({ ...ZERO, misses: 1, refreshes: 1, notModified: 1, downloads: 1, downloadedBytes: crl7.length, entries: 1, bytes: crl7.length });
    clock = T0 + 3 * DAY;
    const refreshed = await cache.crl(URL_A, f.fetch);
    expect(refreshed).toMatchObject({ status: 'ok', from: 'revalidated' });
    const replaced = okCrl(refreshed);
    expect(replaced).not.toBe(held);
    expect({ revoked: [...replaced.revoked.keys()], etag: replaced.etag, lastModified: replaced.lastModified }).toEqual({ revoked: ['C0FFEE', '0BADC0DE', '01'], etag: '"v2"', lastModified: null });
    expect(f.asked).toEqual([
      { etag: null, lastModified: null },
      { etag: '"v1"', lastModified: 'Sun, 29 Nov 2026 00:00:00 GMT' },
      { etag: '"v1"', lastModified: 'Sun, 29 Nov 2026 00:00:00 GMT' },
    ]);
    expect(cache.stats()).toEqual({
      ...ZERO,
      misses: 1,
      refreshes: 2,
      notModified: 1,
      downloads: 2,
      downloadedBytes: crl7.length + bigger.length,
      entries: 1,
      bytes: bigger.length,
    });
  });
});

describe('what is not kept', () => {
  it('a failed download: unavailable with the fetcher\'s reason, and the next lookup asks again', async () => {
    const cache = new RevocationCache({ now: () => T0 });
    const f = fetcher(new Error('HTTP 503'));
    expect(await cache.crl(URL_A, f.fetch)).toEqual({ status: 'unavailable', why: 'HTTP 503' });
    expect(await cache.crl(URL_A, f.fetch)).toEqual({ status: 'unavailable', why: 'HTTP 503' });
    expect(f.asked).toHaveLength(2);
    expect(cache.stats()).toEqual({ ...ZERO, misses: 2 });
  });

  it('a 304 to a request that carried no validators', async () => {
    const cache = new RevocationCache({ now: () => T0 });
    expect(await cache.crl(URL_A, fetcher({ notModified: true }).fetch)).toEqual({ status: 'unavailable', why: 'HTTP 304 to an unconditional request' });
    expect(cache.stats()).toEqual({ ...ZERO, misses: 1 });
  });

  it('bytes that are no CRL: invalid, with their size; counted as a download, not held', async () => {
    const cache = new RevocationCache({ now: () => T0 });
    const junk = Buffer.from('<html>not a CRL</html>');
    expect(await cache.crl(URL_A, fetcher(body(junk)).fetch)).toEqual({ status: 'invalid', bytes: junk.length });
    expect(cache.stats()).toEqual({ ...ZERO, misses: 1, downloads: 1, downloadedBytes: junk.length });
  });

  it('a PEM CRL is read as its DER; PEM armour after the first 64 bytes is not looked for', async () => {
    const pem = `-----BEGIN X509 CRL-----\n${crl7.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END X509 CRL-----\n`;
    const cache = new RevocationCache({ now: () => T0 });
    const crl = okCrl(await cache.crl(URL_A, fetcher(body(Buffer.from(pem))).fetch));
    expect({ revoked: [...crl.revoked.keys()], bytes: crl.bytes }).toEqual({ revoked: ['C0FFEE'], bytes: pem.length });
    const late = Buffer.from(' '.repeat(64) + pem);
    expect(await cache.crl('http://crl.demo.test/late.crl', fetcher(body(late)).fetch)).toEqual({ status: 'invalid', bytes: late.length });
  });

  it('from the TypeScript sources there is no worker: a CRL over workerBytes is parsed inline', async () => {
    const cache = new RevocationCache({ now: () => T0, workerBytes: 10 });
    expect(okCrl(await cache.crl(URL_A, fetcher(body(crl7)).fetch)).revoked.size).toBe(1);
    expect(cache.stats()).toMatchObject({ workerParses: 0, downloads: 1 });
  });
});

describe('a large CRL in a worker (the stand-in test/fixtures/crl-worker-double.mjs; the real worker from dist/ is in revocation-cache.test.ts)', () => {
  const workerFile = fileURLToPath(new URL('./fixtures/crl-worker-double.mjs', import.meta.url));
  /** A body the stand-in reads as its command. */
  const say = (command: string) => body(Buffer.from(command, 'latin1'));

  it('over workerBytes: what the worker posts is what is held, counted; the worker is ended once it has answered', async () => {
    const heard: string[] = [];
    const channel = new BroadcastChannel('crl-worker-double');
    channel.onmessage = () => heard.push('alive');
    try {
      const cache = new RevocationCache({ now: () => T0, workerBytes: 2, workerFile });
      const crl = okCrl(await cache.crl(URL_A, fetcher(say('crl')).fetch));
      expect({ issuerDer: crl.issuerDer, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, revoked: crl.revoked, bytes: crl.bytes, signed: crl.signed }).toEqual({
        issuerDer: 'worker',
        thisUpdate: new Date(0),
        nextUpdate: null,
        revoked: new Map([['AB', null]]),
        bytes: 3,
        signed: { tbs: Buffer.from([1, 2, 3]), signatureOid: '1.2.840.10045.4.3.2', signature: Buffer.from([4, 5]) },
      });
      expect(cache.stats()).toEqual({ ...ZERO, misses: 1, downloads: 1, downloadedBytes: 3, workerParses: 1, entries: 1, bytes: 3 });
      // The stand-in says "alive" every 20 ms until terminated: after a grace period, silence.
      await delay(300);
      heard.length = 0;
      await delay(300);
      expect(heard).toEqual([]);
    } finally {
      channel.close();
    }
  });

  it('exactly workerBytes: parsed here, not in the worker', async () => {
    const cache = new RevocationCache({ now: () => T0, workerBytes: crl7.length, workerFile });
    expect([...okCrl(await cache.crl(URL_A, fetcher(body(crl7)).fetch)).revoked.keys()]).toEqual(['C0FFEE']);
    expect(cache.stats()).toMatchObject({ workerParses: 0, downloads: 1 });
  });

  it('a worker that posts an error or no CRL, throws, or exits without an answer: invalid, with the size, nothing held', async () => {
    const cache = new RevocationCache({ now: () => T0, workerBytes: 2, workerFile });
    for (const command of ['error', 'nothing', 'throw', 'exit']) {
      expect(await cache.crl(`http://crl.demo.test/${command}.crl`, fetcher(say(command)).fetch)).toEqual({ status: 'invalid', bytes: command.length });
    }
    expect(cache.stats()).toEqual({ ...ZERO, misses: 4, downloads: 4, downloadedBytes: 21, workerParses: 4 });
  });
});

describe('bounds', () => {
  const url = (i: number) => `http://crl.demo.test/${i}.crl`;

  it('maxEntries: the least recently used goes first, each eviction counted', async () => {
    const cache = new RevocationCache({ now: () => T0, maxEntries: 2 });
    const f = fetcher(body(crl7));
    await cache.crl(url(1), f.fetch);
    await cache.crl(url(2), f.fetch);
    expect(await cache.crl(url(1), f.fetch)).toMatchObject({ from: 'cache' });
    await cache.crl(url(3), f.fetch); // 2 was used least recently
    expect(cache.stats()).toMatchObject({ entries: 2, evictions: 1, bytes: 2 * crl7.length });
    expect(await cache.crl(url(1), f.fetch)).toMatchObject({ from: 'cache' });
    expect(await cache.crl(url(3), f.fetch)).toMatchObject({ from: 'cache' });
    expect(await cache.crl(url(2), f.fetch)).toMatchObject({ from: 'network' });
    expect(cache.stats()).toMatchObject({ entries: 2, evictions: 2 });
  });

  it('maxBytes: exactly two CRLs fit in twice their size; a third evicts one', async () => {
    const cache = new RevocationCache({ now: () => T0, maxBytes: 2 * crl7.length });
    const f = fetcher(body(crl7));
    await cache.crl(url(1), f.fetch);
    await cache.crl(url(2), f.fetch);
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 2 * crl7.length, evictions: 0 });
    await cache.crl(url(3), f.fetch);
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 2 * crl7.length, evictions: 1 });
  });

  it('one CRL of exactly maxBytes is kept; one byte more is served but not kept', async () => {
    const exact = new RevocationCache({ now: () => T0, maxBytes: crl7.length });
    await exact.crl(URL_A, fetcher(body(crl7)).fetch);
    expect(exact.stats()).toMatchObject({ entries: 1, bytes: crl7.length });
    const small = new RevocationCache({ now: () => T0, maxBytes: crl7.length - 1 });
    const f = fetcher(body(crl7));
    expect(await small.crl(URL_A, f.fetch)).toMatchObject({ status: 'ok', from: 'network' });
    expect(await small.crl(URL_A, f.fetch)).toMatchObject({ status: 'ok', from: 'network' });
    expect(small.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 0, misses: 2 });
  });

  it('maxEntries 1 keeps the last one', async () => {
    const cache = new RevocationCache({ now: () => T0, maxEntries: 1 });
    const f = fetcher(body(crl7));
    await cache.crl(url(1), f.fetch);
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: crl7.length, evictions: 0 });
    await cache.crl(url(2), f.fetch);
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: crl7.length, evictions: 1 });
    expect(await cache.crl(url(2), f.fetch)).toMatchObject({ from: 'cache' });
  });

  it('maxEntries 0 keeps nothing', async () => {
    const cache = new RevocationCache({ now: () => T0, maxEntries: 0 });
    expect(await cache.crl(URL_A, fetcher(body(crl7)).fetch)).toMatchObject({ status: 'ok' });
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 0 });
  });

  it('clear() forgets every CRL and keeps the counters', async () => {
    const cache = new RevocationCache({ now: () => T0 });
    const f = fetcher(body(crl7));
    await cache.crl(URL_A, f.fetch);
    cache.clear();
    expect(cache.stats()).toEqual({ ...ZERO, misses: 1, downloads: 1, downloadedBytes: crl7.length });
    expect(await cache.crl(URL_A, f.fetch)).toMatchObject({ from: 'network' });
    expect(cache.stats()).toMatchObject({ misses: 2, entries: 1, bytes: crl7.length });
  });
});

describe('signedBy', () => {
  const x509 = (leaf: PkiLeaf) => new X509Certificate(leaf.cert);
  const spkiHash = (leaf: PkiLeaf) => createHash('sha256').update(x509(leaf).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  const held = async () => okCrl(await new RevocationCache({ now: () => T0 }).crl(URL_A, fetcher(body(crl7)).fetch));

  it('the issuer verifies it: its key is remembered and the signed bytes dropped; another certificate with that key and name is believed', async () => {
    const cache = new RevocationCache();
    const crl = await held();
    expect(cache.signedBy(crl, x509(otherKey))).toBe(false);
    expect(crl.signed).not.toBeNull();
    expect(crl.signerKey).toBeNull();
    expect(cache.signedBy(crl, x509(ca))).toBe(true);
    expect({ signed: crl.signed, signerKey: crl.signerKey }).toEqual({ signed: null, signerKey: spkiHash(ca) });
    // from the remembered key on
    expect(cache.signedBy(crl, x509(sameKey))).toBe(true);
    expect(cache.signedBy(crl, x509(otherName))).toBe(false);
    expect(crl.issuers).toEqual(
      new Map([
        [x509(otherKey).fingerprint256, false],
        [x509(ca).fingerprint256, true],
        [x509(sameKey).fingerprint256, true],
        [x509(otherName).fingerprint256, false],
      ]),
    );
  });

  it('with the key remembered, a certificate of another key but the same name is not believed', async () => {
    const cache = new RevocationCache();
    const crl = await held();
    expect(cache.signedBy(crl, x509(ca))).toBe(true);
    expect(cache.signedBy(crl, x509(otherKey))).toBe(false);
  });

  it('an issuer judged once is answered from the memo', async () => {
    const cache = new RevocationCache();
    const crl = await held();
    expect(cache.signedBy(crl, x509(otherName))).toBe(false);
    expect(cache.signedBy(crl, x509(ca))).toBe(true);
    // what the memo says wins over what the entry would now say
    crl.signerKey = 'forgotten';
    expect(cache.signedBy(crl, x509(ca))).toBe(true);
    crl.signerKey = spkiHash(otherName);
    expect(cache.signedBy(crl, x509(otherName))).toBe(false);
  });

  it('the memo holds 16 issuers; the 17th starts it afresh', async () => {
    const cache = new RevocationCache();
    const crl = await held();
    const issuers = await Promise.all(Array.from({ length: 17 }, (_, i) => issueEcdsaLeaf(null, { commonName: `n${i}.demo.test` })));
    for (const issuer of issuers.slice(0, 16)) expect(cache.signedBy(crl, x509(issuer))).toBe(false);
    expect(crl.issuers.size).toBe(16);
    expect(cache.signedBy(crl, x509(issuers[16] as PkiLeaf))).toBe(false);
    expect([...crl.issuers.keys()]).toEqual([x509(issuers[16] as PkiLeaf).fingerprint256]);
  });
});
