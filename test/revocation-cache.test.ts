/**
 * The revocation cache (probes/revocation-cache.ts), end to end against loopback SMTP
 * servers and a loopback CRL server that counts its requests: many probes of hosts under
 * one CA cause one download; a CRL past its nextUpdate is revalidated (304 honoured, a
 * newly revoked serial seen); the bounds hold; a large CRL is parsed in a worker from dist/.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  certSet,
  issueLeaf,
  makeCrl,
  serialOf,
  smtpScript,
  startDns,
  startHttp,
  startRaw,
  type DnsServer,
  type HttpFixture,
} from './fixtures/index.js';
import { probe } from '../src/core/engine.js';
import type { ProbeOptions } from '../src/core/options.js';
import type { ProbeResult } from '../src/core/result.js';
import { defaultRevocationCache, RevocationCache, type CrlDownload } from '../probes/revocation-cache.js';

const DAY = 86_400_000;
const NAMES = ['mx1.demo.test', 'localhost', '127.0.0.1'];

let dns: DnsServer;
let http: HttpFixture;

beforeAll(async () => {
  dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } });
  http = await startHttp();
});
afterAll(async () => {
  await dns.close();
  await http.close();
});

function options(port: number, cache: RevocationCache, extra: ProbeOptions = {}): ProbeOptions {
  return { port, resolvers: [dns.address], ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 5000, deadlineMs: 15_000, revocationCache: cache, ...extra };
}

let routeId = 0;
/** A path on the loopback HTTP server whose requests are counted (with the headers each carried). */
function route(handler: (req: IncomingMessage, res: ServerResponse) => void): { url: string; path: string; seen: IncomingHttpHeaders[] } {
  const path = `/cache/${++routeId}.crl`;
  const seen: IncomingHttpHeaders[] = [];
  http.routes[path] = (req, res) => {
    seen.push(req.headers);
    handler(req, res);
  };
  return { url: http.url(path), path, seen };
}

/** A loopback smart host serving a leaf of its own, issued by the shared intermediate and naming `crlUrl`. */
async function host(crlUrl: string) {
  const leaf = issueLeaf(certSet().intermediate, { dnsNames: NAMES, crlUrl });
  const server = await startRaw(smtpScript({ tls: { key: leaf.key, cert: leaf.fullchain } }));
  onTestFinished(async () => {
    await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 5000 });
    await server.close();
  });
  return { server, serial: serialOf(leaf.cert) };
}

function fact(result: ProbeResult) {
  const path = result.paths[0];
  return { stage: path?.failure?.stage ?? null, kind: path?.failure?.kind ?? null, reason: path?.failure?.reason ?? null, code: result.code, verdict: result.verdict };
}

describe('one download for many probes', () => {
  it('200 concurrent probes of 20 hosts under one CA make one CRL request', async () => {
    const crl = await makeCrl(certSet().intermediate, { revoked: ['0badc0de'] });
    // Slow enough that every probe asks while the download is under way.
    const r = route((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': crl.length }).end(crl), 300);
    });
    const hosts = await Promise.all(Array.from({ length: 20 }, () => host(r.url)));
    const cache = new RevocationCache();
    // 200 TLS handshakes, both ends in this process: generous time on a loaded machine.
    const slow = { timeoutMs: 30_000, deadlineMs: 80_000 };
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => probe('127.0.0.1', options(hosts[i % hosts.length]!.server.port, cache, slow))));
    expect(results.map(fact).filter((f) => f.verdict !== 'healthy')).toEqual([]);
    for (const result of results) {
      expect(result.paths[0]?.certificate?.revocation).toMatchObject({ status: 'good', source: 'crl', crl: [{ url: r.url, status: 'good', bytes: crl.length }] });
    }
    expect(r.seen).toHaveLength(1);
    expect(http.requests.filter((p) => p === r.path)).toHaveLength(1);
    expect(cache.stats()).toMatchObject({ misses: 1, hits: 199, downloads: 1, downloadedBytes: crl.length, entries: 1, bytes: crl.length });
  }, 120_000);

  it('a probe given no cache uses the process-wide one: the second probe fetches nothing', async () => {
    const crl = await makeCrl(certSet().intermediate);
    const r = route((_req, res) => res.writeHead(200, { 'content-length': crl.length }).end(crl));
    const { server } = await host(r.url);
    const before = defaultRevocationCache().stats();
    for (let i = 0; i < 2; i++) {
      const result = await probe('127.0.0.1', { ...options(server.port, defaultRevocationCache()), revocationCache: undefined });
      expect(result.paths[0]?.certificate?.revocation).toMatchObject({ status: 'good', source: 'crl' });
    }
    expect(r.seen).toHaveLength(1);
    expect(defaultRevocationCache().stats()).toMatchObject({ misses: before.misses + 1, hits: before.hits + 1 });
  });
});

describe('freshness', () => {
  it('past its nextUpdate the CRL is revalidated: a 304 keeps it, a new CRL with the serial revokes', async () => {
    let clock = Date.now();
    const cache = new RevocationCache({ now: () => clock });
    let body = await makeCrl(certSet().intermediate, { nextUpdate: new Date(clock + 7 * DAY) });
    let etag = '"v1"';
    const r = route((req, res) => {
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { etag, 'last-modified': 'Mon, 30 Nov 2026 00:00:00 GMT', 'content-length': body.length }).end(body);
    });
    const { server, serial } = await host(r.url);
    const run = () => probe('127.0.0.1', options(server.port, cache));

    // 1. fetched once; 2. fresh: nothing asked
    expect(fact(await run())).toEqual({ stage: null, kind: null, reason: null, code: null, verdict: 'healthy' });
    expect(fact(await run())).toEqual({ stage: null, kind: null, reason: null, code: null, verdict: 'healthy' });
    expect(r.seen).toHaveLength(1);
    expect(r.seen[0]?.['if-none-match']).toBeUndefined();

    // 3. past nextUpdate: a conditional GET; 304 is honoured and the held CRL still answers
    clock += 8 * DAY;
    const revalidated = await run();
    expect(fact(revalidated)).toEqual({ stage: null, kind: null, reason: null, code: null, verdict: 'healthy' });
    expect(revalidated.paths[0]?.certificate?.revocation).toMatchObject({ status: 'good', source: 'crl' });
    expect(r.seen).toHaveLength(2);
    expect(r.seen[1]).toMatchObject({ 'if-none-match': '"v1"', 'if-modified-since': 'Mon, 30 Nov 2026 00:00:00 GMT' });
    expect(cache.stats()).toMatchObject({ misses: 1, refreshes: 1, notModified: 1, downloads: 1 });

    // 4. the CA publishes a CRL that lists the leaf: the next revalidation gets it
    body = await makeCrl(certSet().intermediate, { revoked: [serial], nextUpdate: new Date(clock + 7 * DAY) });
    etag = '"v2"';
    const revoked = await run();
    expect(fact(revoked)).toEqual({ stage: 'certificate', kind: 'certificate', reason: 'revoked', code: '4.7.320', verdict: 'failing' });
    expect(r.seen).toHaveLength(3);
    expect(r.seen[2]?.['if-none-match']).toBe('"v1"');
    expect(cache.stats()).toMatchObject({ misses: 1, refreshes: 2, notModified: 1, downloads: 2 });

    // 5. and that CRL is now held: fresh until its own nextUpdate
    expect(fact(await run())).toMatchObject({ reason: 'revoked', code: '4.7.320' });
    expect(r.seen).toHaveLength(3);
  });

  it('an unreachable CRL is not kept: each probe tries again, and soft mode warns as without a cache', async () => {
    const r = route((_req, res) => res.writeHead(503).end());
    const { server } = await host(r.url);
    const cache = new RevocationCache();
    for (let i = 1; i <= 2; i++) {
      const result = await probe('127.0.0.1', options(server.port, cache));
      expect(fact(result)).toEqual({ stage: null, kind: null, reason: null, code: null, verdict: 'degraded' });
      expect(result.warnings.map((w) => w.kind)).toEqual(['revocation-unavailable']);
      expect(result.paths[0]?.certificate?.revocation?.crl).toMatchObject([{ status: 'unavailable', detail: `the CRL at ${r.url} could not be fetched: HTTP 503` }]);
      expect(r.seen).toHaveLength(i);
    }
    expect(cache.stats()).toMatchObject({ entries: 0, misses: 2, downloads: 0 });
  });

  it('a CRL from another CA stays unbelieved when it comes from the cache', async () => {
    const other = certSet().root; // signs with the root's key while the leaf's issuer is the intermediate
    const crl = await makeCrl(certSet().intermediate, { signer: other });
    const r = route((_req, res) => res.writeHead(200, { 'content-length': crl.length }).end(crl));
    const { server } = await host(r.url);
    const cache = new RevocationCache();
    for (let i = 0; i < 2; i++) {
      const result = await probe('127.0.0.1', options(server.port, cache));
      expect(result.paths[0]?.certificate?.revocation?.crl).toMatchObject([{ status: 'invalid', detail: `the CRL at ${r.url} is not signed by the certificate's issuer` }]);
    }
    expect(r.seen).toHaveLength(1);
  });
});

describe('bounds', () => {
  const download = (body: Buffer) => async (): Promise<CrlDownload> => ({ body, etag: null, lastModified: null });

  it('never holds more CRLs than maxEntries: the least recently used goes', async () => {
    const crl = await makeCrl(certSet().intermediate);
    const cache = new RevocationCache({ maxEntries: 3 });
    for (let i = 0; i < 6; i++) {
      expect(await cache.crl(`http://crl.demo.test/${i}.crl`, download(crl))).toMatchObject({ status: 'ok', from: 'network' });
      expect(cache.stats().entries).toBeLessThanOrEqual(3);
      if (i === 3) expect(await cache.crl('http://crl.demo.test/1.crl', download(crl))).toMatchObject({ status: 'ok', from: 'cache' }); // 1 used again: 2 goes next
    }
    expect(cache.stats()).toMatchObject({ entries: 3, bytes: 3 * crl.length, evictions: 3 });
    expect(await cache.crl('http://crl.demo.test/1.crl', download(crl))).toMatchObject({ from: 'cache' });
    expect(await cache.crl('http://crl.demo.test/5.crl', download(crl))).toMatchObject({ from: 'cache' });
    expect(await cache.crl('http://crl.demo.test/2.crl', download(crl))).toMatchObject({ from: 'network' });
  });

  it('never holds more bytes than maxBytes, and does not keep one CRL larger than that', async () => {
    const small = await makeCrl(certSet().intermediate);
    const big = await makeCrl(certSet().intermediate, { revoked: Array.from({ length: 200 }, (_, i) => (0x1000 + i).toString(16)) });
    const cache = new RevocationCache({ maxBytes: Math.floor(2.5 * small.length) });
    expect(big.length).toBeGreaterThan(cache.maxBytes);
    for (let i = 0; i < 5; i++) {
      await cache.crl(`http://crl.demo.test/s${i}.crl`, download(small));
      expect(cache.stats().bytes).toBeLessThanOrEqual(cache.maxBytes);
    }
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 2 * small.length });
    const got = await cache.crl('http://crl.demo.test/big.crl', download(big));
    expect(got).toMatchObject({ status: 'ok', from: 'network' });
    expect(got.status === 'ok' && got.crl.revoked.size).toBe(200);
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 2 * small.length });
  });
});

describe('a large CRL is parsed off the main thread', () => {
  it('from dist/: the worker parses it, the revoked serials and the signature check hold', async () => {
    // The compiled module (`npm run build`): from the TypeScript sources there is no worker to start.
    const built = new URL('../dist/probes/revocation-cache.js', import.meta.url).href;
    const { RevocationCache: Built } = (await import(built)) as typeof import('../probes/revocation-cache.js');
    const serials = Array.from({ length: 500 }, (_, i) => (0x400000 + i).toString(16));
    const crl = await makeCrl(certSet().intermediate, { revoked: serials });
    const cache = new Built({ workerBytes: 1024 });
    expect(crl.length).toBeGreaterThan(1024);
    const got = await cache.crl('http://crl.demo.test/large.crl', async () => ({ body: crl, etag: null, lastModified: null }));
    if (got.status !== 'ok') throw new Error(`expected a CRL, got ${JSON.stringify(got)}`);
    expect(cache.stats()).toMatchObject({ workerParses: 1, downloads: 1 });
    expect(got.crl.revoked.size).toBe(500);
    expect(got.crl.revoked.get('400001')).toBeInstanceOf(Date);
    expect(got.crl.nextUpdate?.getTime()).toBeGreaterThan(Date.now());
    expect(cache.signedBy(got.crl, new X509Certificate(certSet().intermediate.cert))).toBe(true);
    expect(cache.signedBy(got.crl, new X509Certificate(certSet().root.cert))).toBe(false);
  });
});
