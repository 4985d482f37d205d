/**
 * Revocation of the server's certificate, as Exchange Online's CertificateValidation
 * checks it ("chain validation and revocation-list checks"): the OCSP response the
 * server staples to its handshake (RFC 6066 §8, RFC 6960), else the CRL its certificate
 * names (RFC 5280 §4.2.1.13, §5), fetched over HTTP with a timeout and a size bound.
 * OCSP is parsed and verified with PKI.js; CRLs, which run to megabytes, with node-forge's
 * faster DER parser and node:crypto (`crl.ts`). Nothing here parses DER by hand.
 *
 * This module only finds facts; `certificate.ts` decides what they mean under the
 * `--revocation` mode (off, soft, hard).
 */
import dns from 'node:dns';
import http from 'node:http';
import type { LookupFunction } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import type * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { openWindow } from './deadline.js';
import { say, type ProbeTextArg, type ProbeTextId, type Said } from './messages.js';
import { asn1jsLib, pkijsLib } from './lib/libs.js';
import { parseDer, readDer } from './lib/pki.js';
import { defaultRevocationCache, type CachedCrl, type CrlDownload, type CrlFetcher, type RevocationCache } from './revocation-cache.js';
import type { RevocationMode } from './revocation-modes.js';
import type { ProbeContext } from './stage.js';

export { REVOCATION_MODES, type RevocationMode } from './revocation-modes.js';

/** Bounds on what a CRL download may cost. */
export const REVOCATION_LIMITS = {
  /** Public CAs' CRLs are kilobytes to a few megabytes; more than this is refused. */
  crlBytes: 10 * 1024 * 1024,
  /** HTTP redirects followed (http: only). */
  redirects: 3,
  /** Clock skew tolerated on thisUpdate / nextUpdate (RFC 6960 §4.2.2.1 leaves it local). */
  skewMs: 5 * 60_000,
} as const;

export interface OcspCheck {
  /** good/revoked/unknown: what a verified response says; invalid: the staple cannot be used. */
  status: 'good' | 'revoked' | 'unknown' | 'invalid';
  detail: string;
  /** `detail` by id and arguments (probes/messages.ts). */
  detailId: ProbeTextId;
  detailArgs: Record<string, ProbeTextArg>;
  thisUpdate: string | null;
  nextUpdate: string | null;
  revokedAt: string | null;
}

export interface CrlCheck {
  url: string;
  /** good/revoked: a verified, current CRL; unavailable: could not be fetched; invalid: fetched but unusable. */
  status: 'good' | 'revoked' | 'unavailable' | 'invalid';
  detail: string;
  detailId: ProbeTextId;
  detailArgs: Record<string, ProbeTextArg>;
  thisUpdate: string | null;
  nextUpdate: string | null;
  revokedAt: string | null;
  /** Size of the CRL downloaded, when it was. */
  bytes: number | null;
}

/** The revocation status of the leaf certificate, as found. */
export interface RevocationCheck {
  mode: RevocationMode;
  /**
   * good / revoked: a verified answer; unknown: no source could answer (unreachable, stale,
   * unverifiable, or the certificate names none); unchecked: not looked at (mode off, a TLS
   * mode that does not validate, or a chain that already failed).
   */
  status: 'good' | 'revoked' | 'unknown' | 'unchecked';
  /** Which source gave the answer. */
  source: 'ocsp-staple' | 'crl' | null;
  /** The stapled OCSP response, null when the server stapled none. */
  ocsp: OcspCheck | null;
  /** Each CRL distribution point tried, in order. */
  crl: CrlCheck[];
  /** One sentence a report can show. */
  detail: string;
  detailId?: ProbeTextId;
  detailArgs?: Record<string, ProbeTextArg>;
  revokedAt: string | null;
  /**
   * The intermediates the server sent, each checked against its CRL (never stapled:
   * a staple covers the leaf only). Absent when there is none or the leaf was not checked.
   */
  intermediates?: IntermediateRevocation[];
}

/** The revocation status of one intermediate, by its CRL. */
export type IntermediateRevocation = Omit<RevocationCheck, 'intermediates'> & { subject: string };

const iso = (date: Date | undefined | null): string | null => (date && !Number.isNaN(date.getTime()) ? date.toISOString() : null);

/** A certificate and its issuer, parsed by PKI.js (for OCSP) and by Node (for CRLs). */
export interface Pair {
  leaf: pkijs.Certificate;
  issuer: pkijs.Certificate;
  leafX509: X509Certificate;
  issuerX509: X509Certificate;
}

/** A said text as a detail and its id, as the revocation results carry them. */
function detailOf(said: Said): { detail: string; detailId: ProbeTextId; detailArgs: Record<string, ProbeTextArg> } {
  return { detail: said.text, detailId: said.id, detailArgs: said.args };
}

function ocspResult(status: OcspCheck['status'], detail: Said, extra: Partial<OcspCheck> = {}): OcspCheck {
  return { status, ...detailOf(detail), thisUpdate: null, nextUpdate: null, revokedAt: null, ...extra };
}

/** RFC 6960 §4.2.1 CertStatus: good [0], revoked [1] RevokedInfo, unknown [2]. */
function revocationTime(certStatus: unknown): Date | null {
  const block = certStatus as { idBlock?: { tagNumber?: number }; valueBlock?: { value?: unknown[] } };
  const first = block?.valueBlock?.value?.[0];
  return first instanceof asn1jsLib().GeneralizedTime ? first.toDate() : null;
}

/**
 * Checks a stapled OCSP response: it must parse, be `successful`, carry a basic response
 * signed by the issuer (or a responder it delegated to, RFC 6960 §4.2.2.2), be about this
 * certificate's serial under this issuer, and be current.
 */
export async function checkOcspStaple(staple: Uint8Array, pair: Pick<Pair, 'leaf' | 'issuer'>, now = Date.now()): Promise<OcspCheck> {
  let basic: pkijs.BasicOCSPResponse;
  try {
    const response = pkijsLib().OCSPResponse.fromBER(new Uint8Array(staple));
    const status = response.responseStatus.valueBlock.valueDec;
    if (status !== 0) {
      // RFC 6960 §4.2.1 OCSPResponseStatus
      const names: Record<number, string> = { 1: 'malformedRequest', 2: 'internalError', 3: 'tryLater', 5: 'sigRequired', 6: 'unauthorized' };
      return ocspResult('invalid', say('rev.ocsp-error', { status: names[status] ?? status }));
    }
    if (!response.responseBytes || response.responseBytes.responseType !== pkijsLib().id_PKIX_OCSP_Basic) {
      return ocspResult('invalid', say('rev.ocsp-not-basic'));
    }
    basic = pkijsLib().BasicOCSPResponse.fromBER(response.responseBytes.response.valueBlock.valueHexView);
  } catch {
    return ocspResult('invalid', say('rev.ocsp-unparsable'));
  }
  // RFC 6960 §4.2.2.2: a response the CA signs itself may omit its certificate; PKI.js
  // looks for the signer among the attached ones, so attach the issuer we already hold.
  // Being attached grants nothing: verify() still requires the responder to be the
  // issuer or a responder it delegated to with id-kp-OCSPSigning.
  if (!basic.certs?.length) basic.certs = [pair.issuer];
  let verified = false;
  try {
    // The issuer was already verified as part of the TLS chain: it may answer for its own
    // certificates (trustedResponders skips re-building its chain, which PKI.js cannot do
    // without the root); a delegated responder must chain to it.
    verified = await basic.verify({ trustedCerts: [pair.issuer], issuerCerts: [pair.issuer], trustedResponders: [pair.issuer] });
  } catch (err) {
    return ocspResult('invalid', say('rev.ocsp-signer', { error: (err as Error).message }));
  }
  if (!verified) return ocspResult('invalid', say('rev.ocsp-bad-signature'));
  let found: { isForCertificate: boolean; status: number };
  try {
    found = await basic.getCertificateStatus(pair.leaf, pair.issuer);
  } catch {
    return ocspResult('invalid', say('rev.ocsp-unmatched'));
  }
  if (!found.isForCertificate) return ocspResult('invalid', say('rev.ocsp-other-certificate'));
  const single = basic.tbsResponseData.responses.find((r) => r.certID.serialNumber.isEqual(pair.leaf.serialNumber));
  const times = { thisUpdate: iso(single?.thisUpdate), nextUpdate: iso(single?.nextUpdate) };
  if (single?.thisUpdate && single.thisUpdate.getTime() > now + REVOCATION_LIMITS.skewMs) {
    return ocspResult('invalid', say('rev.ocsp-future', { date: times.thisUpdate ?? '' }), times);
  }
  if (single?.nextUpdate && single.nextUpdate.getTime() < now - REVOCATION_LIMITS.skewMs) {
    return ocspResult('invalid', say('rev.ocsp-stale', { date: times.nextUpdate ?? '' }), times);
  }
  switch (found.status) {
    case 0:
      return ocspResult('good', say('rev.ocsp-good'), times);
    case 1: {
      const revokedAt = iso(revocationTime(single?.certStatus));
      return ocspResult('revoked', revokedAt ? say('rev.ocsp-revoked-since', { date: revokedAt.slice(0, 10) }) : say('rev.ocsp-revoked'), { ...times, revokedAt });
    }
    default:
      return ocspResult('unknown', say('rev.ocsp-unknown'), times);
  }
}

/** Resolves a CRL host through the probe's own resolvers, when it was given some. */
function lookupVia(ctx: ProbeContext): LookupFunction | undefined {
  if (!ctx.resolvers.length) return undefined;
  const resolver = new dns.Resolver();
  resolver.setServers(ctx.resolvers.map((r) => (r.host.includes(':') ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`)));
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    const wantAll = Boolean(options?.all);
    resolver.resolve4(hostname, (err4, v4) => {
      resolver.resolve6(hostname, (err6, v6) => {
        const all = [...(v4 ?? []).map((address) => ({ address, family: 4 })), ...(v6 ?? []).map((address) => ({ address, family: 6 }))];
        if (!all.length) return callback(err4 ?? err6 ?? new Error(`no address for ${hostname}`));
        if (wantAll) return callback(null, all);
        const first = all[0] as { address: string; family: number };
        return callback(null, first.address, first.family);
      });
    });
  }) as unknown as LookupFunction;
}

class FetchError extends Error {}

/**
 * GET over plain HTTP (RFC 5280 §4.2.1.13: CRLs are fetched over http, not https), bounded
 * in time and size; conditional when validators are given (RFC 9110 §13.1), when a 304 is
 * an answer.
 */
async function httpGet(
  ctx: ProbeContext,
  url: string,
  signal: AbortSignal,
  validators: { etag: string | null; lastModified: string | null },
): Promise<CrlDownload> {
  let current = new URL(url);
  const headers: Record<string, string> = { accept: 'application/pkix-crl, */*' };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  const conditional = Boolean(validators.etag || validators.lastModified);
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'http:') throw new FetchError(`not an http: URL (${current.protocol})`);
    const lookup = lookupVia(ctx);
    const outcome = await new Promise<CrlDownload | { redirect: string }>((resolve, reject) => {
      const req = http.get(current, { signal, ...(lookup ? { lookup } : {}), headers }, (res) => {
        const status = res.statusCode ?? 0;
        if (status === 304 && conditional) {
          res.resume();
          return resolve({ notModified: true });
        }
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          return resolve({ redirect: res.headers.location });
        }
        if (status !== 200) {
          res.resume();
          return reject(new FetchError(`HTTP ${status}`));
        }
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (declared > REVOCATION_LIMITS.crlBytes) {
          res.destroy();
          return reject(new FetchError(`larger than ${REVOCATION_LIMITS.crlBytes} bytes (Content-Length ${declared})`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > REVOCATION_LIMITS.crlBytes) {
            res.destroy();
            req.destroy();
            reject(new FetchError(`larger than ${REVOCATION_LIMITS.crlBytes} bytes`));
          } else chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ body: Buffer.concat(chunks), etag: res.headers.etag ?? null, lastModified: res.headers['last-modified'] ?? null }),
        );
        res.on('error', reject);
      });
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(signal.aborted ? new FetchError('no answer in time') : new FetchError(err.code ?? err.message)),
      );
    });
    if (!('redirect' in outcome)) return outcome;
    if (hop >= REVOCATION_LIMITS.redirects) throw new FetchError(`more than ${REVOCATION_LIMITS.redirects} redirects`);
    // Parsed here, not in the response listener: a Location that is no URL thrown from there
    // escapes through Node's HTTP parser as an uncaught exception.
    if (!URL.canParse(outcome.redirect, current.href)) throw new FetchError('a redirect to an invalid URL');
    current = new URL(outcome.redirect, current);
  }
}

/** Downloads the CRL at `url` for the cache, within one stage window of `ctx`. */
function crlFetcher(ctx: ProbeContext, url: string): CrlFetcher {
  return async (validators) => {
    const window = openWindow(ctx);
    try {
      return await httpGet(ctx, url, window.signal, validators);
    } catch (err) {
      throw new FetchError(err instanceof FetchError ? err.message : window.signal.aborted ? 'no answer in time' : (err as Error).message);
    } finally {
      window.dispose();
    }
  };
}

/** What a CRL check found beyond its status and detail. */
type CrlFound = Partial<Pick<CrlCheck, 'thisUpdate' | 'nextUpdate' | 'revokedAt' | 'bytes'>>;

// Field by field rather than with spreads: V8 builds an object literal with spreads through
// a slow path, and every probe of a fleet makes one or more of these.
function crlResult(url: string, status: CrlCheck['status'], detail: Said, found: CrlFound = {}): CrlCheck {
  return {
    url,
    status,
    detail: detail.text,
    detailId: detail.id,
    detailArgs: detail.args,
    thisUpdate: found.thisUpdate ?? null,
    nextUpdate: found.nextUpdate ?? null,
    revokedAt: found.revokedAt ?? null,
    bytes: found.bytes ?? null,
  };
}

/** A held CRL's dates as text, made once: every probe of a fleet reports them. */
const crlDates = new WeakMap<CachedCrl, { thisUpdate: string | null; nextUpdate: string | null }>();

/**
 * Looks the serial up in the CRL at one distribution point, through the probe's revocation
 * cache (fetched when not held or no longer fresh): the CRL must be signed by the
 * certificate's issuer (RFC 5280 §6.3.3 (f)) and current (nextUpdate not passed).
 */
export async function checkCrl(
  ctx: ProbeContext,
  url: string,
  pair: Pick<Pair, 'leafX509' | 'issuerX509'>,
  now = Date.now(),
  serialNumber = pair.leafX509.serialNumber,
): Promise<CrlCheck> {
  const cache = ctx.revocationCache ?? defaultRevocationCache();
  const found = await cache.crl(url, crlFetcher(ctx, url));
  if (found.status === 'unavailable') return crlResult(url, 'unavailable', say('rev.crl-unavailable', { url, why: found.why }));
  if (found.status === 'invalid') return crlResult(url, 'invalid', say('rev.crl-unparsable', { url }), { bytes: found.bytes });
  return crlVerdict(url, found.crl, cache, pair.issuerX509, now, serialNumber);
}

/** What a held CRL says of `serialNumber`: signed by `issuer`, current, and whether it lists the serial. */
function crlVerdict(url: string, crl: CachedCrl, cache: RevocationCache, issuer: X509Certificate, now: number, serialNumber: string): CrlCheck {
  let dates = crlDates.get(crl);
  if (!dates) crlDates.set(crl, (dates = { thisUpdate: iso(crl.thisUpdate), nextUpdate: iso(crl.nextUpdate) }));
  const times = { thisUpdate: dates.thisUpdate, nextUpdate: dates.nextUpdate, bytes: crl.bytes };
  if (!cache.signedBy(crl, issuer)) return crlResult(url, 'invalid', say('rev.crl-signer', { url }), times);
  if (crl.nextUpdate && crl.nextUpdate.getTime() < now - REVOCATION_LIMITS.skewMs) {
    return crlResult(url, 'invalid', say('rev.crl-stale', { url, date: times.nextUpdate ?? '' }), times);
  }
  const serial = crl.lib.normalizeSerial(serialNumber);
  if (crl.revoked.has(serial)) {
    const revokedAt = iso(crl.revoked.get(serial));
    return crlResult(url, 'revoked', revokedAt ? say('rev.crl-revoked-since', { url, date: revokedAt.slice(0, 10) }) : say('rev.crl-revoked', { url }), { ...times, revokedAt });
  }
  return crlResult(url, 'good', say('rev.crl-good', { url }), times);
}

/** The result for a certificate whose revocation is not looked at. */
export function uncheckedRevocation(mode: RevocationMode, detail: Said): RevocationCheck {
  return { mode, status: 'unchecked', source: null, ocsp: null, crl: [], ...detailOf(detail), revokedAt: null };
}

/**
 * Looks up the revocation status of `leaf`, issued by `issuer`: the staple first (a
 * verified good or revoked answer settles it), then each CRL distribution point until
 * one answers. Never throws for a network outcome. `serialNumber` is the leaf's, when the
 * caller has it already (Node's getter is a call into OpenSSL).
 */
export async function checkRevocation(...args: Parameters<typeof revocationOf>): Promise<RevocationCheck> {
  return revocationOf(...args);
}

/**
 * `checkRevocation(ctx, leaf, issuer, staple, mode, now, serialNumber)`, answered at once
 * when that needs no I/O — mode off, no issuer, no source, or each CRL tried held and fresh
 * in the cache (every probe of a fleet under one CA, once the first has fetched it) — and as
 * a promise otherwise: a staple to verify or a CRL to fetch. The certificate stage awaits
 * only the promise, so a healthy fleet's probes pay for no async function, promise or
 * microtask here.
 */
export function revocationOf(
  ctx: ProbeContext,
  leaf: X509Certificate,
  issuer: X509Certificate | undefined,
  staple: Uint8Array | null,
  mode: RevocationMode,
  now = Date.now(),
  serialNumber?: string,
): RevocationCheck | Promise<RevocationCheck> {
  if (mode === 'off') return uncheckedRevocation(mode, say('rev.off'));
  if (!issuer) return { ...uncheckedRevocation(mode, say('rev.issuer-unknown')), status: 'unknown' };
  const { crlUrls, ocspUrls } = readDer(leaf);
  const urls = crlUrls.filter((u) => /^http:/i.test(u));
  // Nothing to check against: settle it without parsing the pair (the common case for
  // private CAs, and a few ms of CPU per probe saved).
  if (!staple?.length && !urls.length) return unknownRevocation(mode, null, ocspUrls);
  const crls: CrlCheck[] = [];
  if (staple?.length) return fetchedRevocation(ctx, leaf, issuer, staple, mode, now, serialNumber, urls, ocspUrls, crls);
  const cache = ctx.revocationCache ?? defaultRevocationCache();
  const serial = serialNumber ?? leaf.serialNumber;
  for (let i = 0; i < urls.length; i++) {
    const url = urls[i] as string;
    const held = cache.fresh(url);
    // Not held, or due for revalidation: from here on, as the fetching path does.
    if (!held) return fetchedRevocation(ctx, leaf, issuer, null, mode, now, serial, urls.slice(i), ocspUrls, crls);
    const crl = crlVerdict(url, held, cache, issuer, now, serial);
    crls.push(crl);
    if (crl.status === 'revoked' || crl.status === 'good') return settledRevocation(mode, null, crls, crl.status, 'crl', crl);
  }
  return failedRevocation(mode, null, crls, ocspUrls);
}

/**
 * The rest of `revocationOf` once I/O is needed: the staple verified (PKI.js, ~2 ms per
 * certificate, loaded for a staple only), then the CRLs at `urls` fetched where not held.
 * `crls` holds what was already found from the cache.
 */
async function fetchedRevocation(
  ctx: ProbeContext,
  leaf: X509Certificate,
  issuer: X509Certificate,
  staple: Uint8Array | null,
  mode: RevocationMode,
  now: number,
  serialNumber: string | undefined,
  urls: readonly string[],
  ocspUrls: readonly string[],
  crls: CrlCheck[],
): Promise<RevocationCheck> {
  let ocsp: OcspCheck | null = null;
  if (staple?.length) {
    let pair: Pair;
    try {
      pair = { leaf: parseDer(leaf.raw), issuer: parseDer(issuer.raw), leafX509: leaf, issuerX509: issuer };
    } catch {
      return { ...uncheckedRevocation(mode, say('rev.unparsable')), status: 'unknown' };
    }
    ocsp = await checkOcspStaple(staple, pair, now);
    if (ocsp.status === 'revoked' || ocsp.status === 'good') return settledRevocation(mode, ocsp, crls, ocsp.status, 'ocsp-staple', ocsp);
  }
  for (let i = 0; i < urls.length; i++) {
    const crl = await checkCrl(ctx, urls[i] as string, { leafX509: leaf, issuerX509: issuer }, now, serialNumber);
    crls.push(crl);
    if (crl.status === 'revoked' || crl.status === 'good') return settledRevocation(mode, ocsp, crls, crl.status, 'crl', crl);
  }
  return failedRevocation(mode, ocsp, crls, ocspUrls);
}

/** No source could answer: `said` says why (null: the certificate names none over HTTP). */
function unknownRevocation(mode: RevocationMode, said: Said | null, ocspUrls: readonly string[]): RevocationCheck {
  return {
    mode,
    ocsp: null,
    crl: [],
    status: 'unknown',
    source: null,
    revokedAt: null,
    ...detailOf(said ?? (ocspUrls.length ? say('rev.only-ocsp', { url: ocspUrls[0] ?? '' }) : say('rev.no-source'))),
  };
}

// A settled answer, written out rather than spread: on Node 20 (V8 11) keys after an object
// spread build a new hidden class on every call, ~10 µs here (docs/fleet-and-prometheus.md).
function settledRevocation(
  mode: RevocationMode,
  ocsp: OcspCheck | null,
  crls: CrlCheck[],
  status: 'good' | 'revoked',
  source: 'ocsp-staple' | 'crl',
  from: OcspCheck | CrlCheck,
): RevocationCheck {
  return {
    mode,
    ocsp,
    crl: crls,
    status,
    source,
    detail: from.detail,
    detailId: from.detailId,
    detailArgs: from.detailArgs,
    revokedAt: status === 'revoked' ? from.revokedAt : null,
  };
}

/** Every source tried failed: their details in order, `a; b; c`. */
function failedRevocation(mode: RevocationMode, ocsp: OcspCheck | null, crls: CrlCheck[], ocspUrls: readonly string[]): RevocationCheck {
  const failed = [ocsp, ...crls].filter((c): c is OcspCheck | CrlCheck => c !== null && c !== undefined);
  const joined = failed.reduceRight<Said | null>((rest, c) => {
    const first: Said = { text: c.detail, id: c.detailId, args: c.detailArgs };
    return rest ? say('rev.both', { first, rest }) : first;
  }, null);
  return { ...unknownRevocation(mode, joined, ocspUrls), ocsp, crl: crls };
}
