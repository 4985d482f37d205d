/**
 * The revocation cache: CRLs shared by every probe of one process (fleet mode, `serve`,
 * `watch`, `verify`), as Windows' CryptoAPI keeps them for Exchange: by URL, until the
 * CRL's nextUpdate (RFC 5280 §5.1.2.5), then revalidated with a conditional GET
 * (RFC 9110 §13: If-None-Match / If-Modified-Since; a 304 keeps what is held). Concurrent
 * probes that need the same CRL share one download (single-flight). What is kept is the
 * parsed CRL — a Map of revoked serials — never its bytes, once its signature has been
 * verified with the issuer's key. A CRL larger than `workerBytes` is parsed in a worker
 * thread (`crl-worker.ts`) so that other probes' sockets are served meanwhile.
 *
 * The cache decides nothing about revocation: `revocation.ts` reads what it holds and
 * judges (signature, staleness, the serial) exactly as without a cache. A failed or
 * unparseable download is not kept: the next probe tries again.
 *
 * Owner: whoever builds the ProbeContext passes one in (`ctx.revocationCache`); a probe
 * given none uses the process-wide `defaultRevocationCache()`.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ParsedCrl } from './lib/crl.js';

/** The stated bounds of a cache (each can be lowered per instance). */
export const REVOCATION_CACHE_LIMITS = {
  /** CRLs kept at once; the least recently used goes first. */
  entries: 256,
  /**
   * The sum of the DER sizes of the CRLs kept. A parsed CRL (a Map of serial hex → date)
   * weighs about 2–3 × its DER in V8's heap; 32 MiB of DER is ~100 MB at most.
   */
  bytes: 32 * 1024 * 1024,
  /** A CRL larger than this is parsed off the main thread (~0.3 s of CPU per MiB). */
  workerBytes: 1024 * 1024,
  /** Revalidated at least this often even when its nextUpdate is further away, or absent. */
  maxAgeMs: 24 * 60 * 60_000,
} as const;

export interface RevocationCacheOptions {
  maxEntries?: number;
  maxBytes?: number;
  workerBytes?: number;
  maxAgeMs?: number;
  /** The clock (ms since the epoch); tests move it. */
  now?: () => number;
  /**
   * The worker script that parses a large CRL: by default the compiled `crl-worker.js` beside
   * this module. Tests running the TypeScript sources give their own.
   */
  workerFile?: string;
}

/** What the cache holds of one CRL: the lookup, the validators, and no bytes once verified. */
export interface CachedCrl {
  url: string;
  issuerDer: string;
  thisUpdate: Date | null;
  nextUpdate: Date | null;
  /** Upper-case hex serial (no leading zeros) → revocation date. */
  revoked: Map<string, Date | null>;
  /** Size of the CRL as downloaded: its weight in the byte bound. */
  bytes: number;
  etag: string | null;
  lastModified: string | null;
  /** When it must be revalidated (ms since the epoch). */
  freshUntil: number;
  /** The signed part and signature, until one issuer's key has verified them. */
  signed: Pick<ParsedCrl, 'tbs' | 'signatureOid' | 'signature'> | null;
  /** SHA-256 of the SubjectPublicKeyInfo that verified the signature. */
  signerKey: string | null;
  /** Issuer certificates already judged (SHA-256 fingerprint → signed by it), a few at most. */
  issuers: Map<string, boolean>;
  /** `crl.ts`, loaded by the time a CRL is held. */
  lib: CrlLib;
}

type CrlLib = typeof import('./lib/crl.js');

/** What a fetcher returns: a new body, or "not modified" for a conditional GET. */
export type CrlDownload = { notModified: true } | { notModified?: false; body: Uint8Array; etag: string | null; lastModified: string | null };

/** Fetches a CRL, sending the validators given (conditional GET); throws an Error whose message says why it failed. */
export type CrlFetcher = (validators: { etag: string | null; lastModified: string | null }) => Promise<CrlDownload>;

/** The cache's answer for one URL. */
export type CrlLookup =
  | { status: 'ok'; crl: CachedCrl; from: 'cache' | 'network' | 'revalidated' }
  | { status: 'unavailable'; why: string }
  | { status: 'invalid'; bytes: number };

export interface RevocationCacheStats {
  /** Lookups answered without a request of their own: a fresh entry, or a download already under way. */
  hits: number;
  /** Lookups that downloaded a CRL not held. */
  misses: number;
  /** Conditional GETs of an entry past its freshness; `notModified` of them got 304. */
  refreshes: number;
  notModified: number;
  /** Bodies downloaded, and their bytes. */
  downloads: number;
  downloadedBytes: number;
  /** CRLs parsed in a worker thread. */
  workerParses: number;
  evictions: number;
  /** Held now. */
  entries: number;
  bytes: number;
}

/** The compiled worker; absent when running from the TypeScript sources (the tests), where CRLs are parsed inline. */
const WORKER_FILE = fileURLToPath(new URL('./crl-worker.js', import.meta.url));

/** `crl.ts` loads node-forge: only when a CRL is actually parsed. */
let crlLib: Promise<CrlLib> | undefined;
const crlModule = (): Promise<CrlLib> => (crlLib ??= import('./lib/crl.js'));

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);

const spkiHash = (cert: X509Certificate): string =>
  createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

/** A DER CRL, or PEM (`-----BEGIN X509 CRL-----`) as some CAs serve it. */
function crlDer(body: Uint8Array): Uint8Array {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(64, body.length)).toString('latin1');
  if (head.includes('-----BEGIN')) {
    const b64 = Buffer.from(body.buffer, body.byteOffset, body.length).toString('latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    return new Uint8Array(Buffer.from(b64, 'base64'));
  }
  return body;
}

async function parseInWorker(file: string, der: Uint8Array): Promise<ParsedCrl> {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(file, { workerData: der });
  try {
    return await new Promise<ParsedCrl>((resolve, reject) => {
      worker.once('message', (m: { crl?: ParsedCrl; error?: string }) => (m.crl ? resolve(m.crl) : reject(new Error(m.error ?? 'no CRL'))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the CRL worker exited with ${code}`)));
    });
  } finally {
    void worker.terminate();
  }
}

/**
 * A cache of CRLs, bounded by count and bytes.
 *
 * @example
 * ```ts
 * const cache = new RevocationCache({ maxEntries: 64 });
 * const found = await cache.crl('http://crl.example/ca.crl', (v) => download(v));
 * ```
 */
export class RevocationCache {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly workerBytes: number;
  readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly workerFile: string;
  private readonly entries = new Map<string, CachedCrl>();
  private readonly inflight = new Map<string, Promise<CrlLookup>>();
  private held = 0;
  private readonly counts = { hits: 0, misses: 0, refreshes: 0, notModified: 0, downloads: 0, downloadedBytes: 0, workerParses: 0, evictions: 0 };

  constructor(options: RevocationCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? REVOCATION_CACHE_LIMITS.entries;
    this.maxBytes = options.maxBytes ?? REVOCATION_CACHE_LIMITS.bytes;
    this.workerBytes = options.workerBytes ?? REVOCATION_CACHE_LIMITS.workerBytes;
    this.maxAgeMs = options.maxAgeMs ?? REVOCATION_CACHE_LIMITS.maxAgeMs;
    this.now = options.now ?? Date.now;
    this.workerFile = options.workerFile ?? WORKER_FILE;
  }

  /**
   * The CRL at `url` if it is held and fresh (a hit), else undefined: the answer a probe
   * needs no I/O for, given without a promise (every probe of a fleet under one CA asks).
   */
  fresh(url: string): CachedCrl | undefined {
    const held = this.entries.get(url);
    if (!held || this.now() >= held.freshUntil) return undefined;
    this.counts.hits++;
    // least recently used goes first: move it to the end
    this.entries.delete(url);
    this.entries.set(url, held);
    return held;
  }

  /** The CRL at `url`: held and fresh, or fetched (once, however many ask at the same time). */
  async crl(url: string, fetch: CrlFetcher): Promise<CrlLookup> {
    const fresh = this.fresh(url);
    if (fresh) return { status: 'ok', crl: fresh, from: 'cache' };
    const held = this.entries.get(url);
    const running = this.inflight.get(url);
    if (running) {
      this.counts.hits++;
      return running;
    }
    const started = this.load(url, held, fetch).finally(() => this.inflight.delete(url));
    this.inflight.set(url, started);
    return started;
  }

  /**
   * Was the CRL signed by `issuer`? Its issuer name must be the certificate's subject
   * (RFC 5280 §6.3.3 (b)) and its signature must verify with the certificate's key. The
   * first issuer that verifies it is remembered by key, and the signed bytes dropped.
   */
  signedBy(crl: CachedCrl, issuer: X509Certificate): boolean {
    // Synchronous from the memo on: a burst of probes that got the same download must not
    // each verify the signature before the first one has remembered the answer.
    const known = crl.issuers.get(issuer.fingerprint256);
    if (known !== undefined) return known;
    const { crlSignedBy, subjectDer } = crl.lib;
    let signed: boolean;
    if (crl.signed) {
      signed = crlSignedBy({ ...crl.signed, issuerDer: crl.issuerDer }, issuer);
      if (signed) {
        crl.signerKey = spkiHash(issuer);
        crl.signed = null;
      }
    } else {
      // A signature verifies under one key only: another certificate with that key and name.
      signed = crl.signerKey === spkiHash(issuer) && crl.issuerDer === subjectDer(issuer);
    }
    if (crl.issuers.size >= 16) crl.issuers.clear();
    crl.issuers.set(issuer.fingerprint256, signed);
    return signed;
  }

  stats(): RevocationCacheStats {
    return { ...this.counts, entries: this.entries.size, bytes: this.held };
  }

  /** Forgets every CRL held (the counters stay). */
  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  private freshUntil(nextUpdate: Date | null): number {
    const cap = this.now() + this.maxAgeMs;
    return nextUpdate && !Number.isNaN(nextUpdate.getTime()) ? Math.min(nextUpdate.getTime(), cap) : cap;
  }

  private async load(url: string, held: CachedCrl | undefined, fetch: CrlFetcher): Promise<CrlLookup> {
    if (held) this.counts.refreshes++;
    else this.counts.misses++;
    let got: CrlDownload;
    try {
      got = await fetch({ etag: held?.etag ?? null, lastModified: held?.lastModified ?? null });
    } catch (err) {
      return { status: 'unavailable', why: (err as Error).message };
    }
    if (got.notModified) {
      if (!held) return { status: 'unavailable', why: 'HTTP 304 to an unconditional request' };
      this.counts.notModified++;
      held.freshUntil = this.freshUntil(held.nextUpdate);
      this.remember(held);
      return { status: 'ok', crl: held, from: 'revalidated' };
    }
    this.counts.downloads++;
    this.counts.downloadedBytes += got.body.length;
    let parsed: ParsedCrl;
    const lib = await crlModule();
    try {
      const der = crlDer(got.body);
      if (der.length > this.workerBytes && existsSync(this.workerFile)) {
        this.counts.workerParses++;
        parsed = await parseInWorker(this.workerFile, der);
      } else parsed = lib.parseCrl(der);
    } catch {
      return { status: 'invalid', bytes: got.body.length };
    }
    const crl: CachedCrl = {
      url,
      issuerDer: parsed.issuerDer,
      thisUpdate: parsed.thisUpdate,
      nextUpdate: parsed.nextUpdate,
      revoked: parsed.revoked,
      bytes: got.body.length,
      etag: got.etag,
      lastModified: got.lastModified,
      freshUntil: this.freshUntil(parsed.nextUpdate),
      signed: { tbs: asBuffer(parsed.tbs), signatureOid: parsed.signatureOid, signature: asBuffer(parsed.signature) },
      signerKey: null,
      issuers: new Map(),
      lib,
    };
    this.remember(crl);
    return { status: 'ok', crl, from: held ? 'revalidated' : 'network' };
  }

  /** Puts `crl` last, then evicts the least recently used while a bound is exceeded. */
  private remember(crl: CachedCrl): void {
    const old = this.entries.get(crl.url);
    if (old) {
      this.entries.delete(crl.url);
      this.held -= old.bytes;
    }
    // One CRL over the whole byte bound is used by the probes waiting for it, and not kept.
    if (crl.bytes > this.maxBytes || this.maxEntries < 1) return;
    this.entries.set(crl.url, crl);
    this.held += crl.bytes;
    for (const [url, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.held <= this.maxBytes) break;
      this.entries.delete(url);
      this.held -= entry.bytes;
      this.counts.evictions++;
    }
  }
}

let processCache: RevocationCache | undefined;

/** The cache a probe uses when its context names none: one per process. */
export function defaultRevocationCache(): RevocationCache {
  return (processCache ??= new RevocationCache());
}
