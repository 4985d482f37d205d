import net from 'node:net';
import tls from 'node:tls';
import { BoundedCache, CACHE_BOUNDS } from './caches.js';
import { openWindow, waitForEvent, windowFailure } from './deadline.js';
import { say, type ProbeTextId } from './messages.js';
import { StageFailure, type FailureKind, type ProbeContext } from './stage.js';

/** What the handshake settled on, recorded for every path that got this far. */
export interface TlsInfo {
  /** `TLSv1.2`, `TLSv1.3` … */
  protocol: string | null;
  /** OpenSSL/IANA cipher name, e.g. `TLS_AES_256_GCM_SHA384`. */
  cipher: string | null;
  /** Whether the chain verified against the trust anchors (names are checked elsewhere). */
  authorized: boolean;
  /** OpenSSL's verification error code when it did not, e.g. `CERT_HAS_EXPIRED`. */
  authorizationError: string | null;
}

/**
 * OpenSSL's handshake errors, as Node names them. A server that only speaks TLS 1.0/1.1
 * answers our TLS 1.2+ hello with a protocol_version alert; one with no cipher in common
 * answers handshake_failure.
 */
const TLS_ERRORS: Record<string, { kind: FailureKind; text: ProbeTextId }> = {
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: { kind: 'tls-version', text: 'tls.protocol-alert' },
  ERR_SSL_UNSUPPORTED_PROTOCOL: { kind: 'tls-version', text: 'tls.below-1.2' },
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: { kind: 'tls-version', text: 'tls.no-version' },
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: { kind: 'tls-no-shared-cipher', text: 'tls.handshake-alert' },
  // OpenSSL 3.2 renamed the alert reasons "sslv3 alert …" to "ssl/tls alert …" (Node 24 has 3.5).
  'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE': { kind: 'tls-no-shared-cipher', text: 'tls.handshake-alert' },
  ERR_SSL_NO_SHARED_CIPHER: { kind: 'tls-no-shared-cipher', text: 'tls.no-cipher' },
  ERR_SSL_NO_CIPHERS_AVAILABLE: { kind: 'tls-no-shared-cipher', text: 'tls.no-cipher' },
};

/** Trust anchors: Node's bundled roots plus the extra ones given (`--ca-file`). */
export function trustAnchors(ctx: ProbeContext): string[] | undefined {
  return ctx.tls.ca.length ? [...tls.rootCertificates, ...ctx.tls.ca] : undefined;
}

/** tls.connect options; `requestOCSP` is passed to the TLSSocket, though @types/node omits it. */
export type ProbeTlsOptions = tls.ConnectionOptions & { requestOCSP?: boolean };

/**
 * Node's default cipher list at OpenSSL security level 0. The list decides what is
 * negotiated and stays Node's; the level decides which keys and signature hashes the
 * chain check accepts. At the default level 1 a SHA-1-signed certificate fails as a bare
 * `UNSPECIFIED`; at 0 the chain completes and the certificate stage names the weakness.
 */
export const PROBE_CIPHERS = `${tls.DEFAULT_CIPHERS}:@SECLEVEL=0`;

/**
 * The key-exchange groups offered, as Exchange Online's Schannel offers them: Windows'
 * default curves, curve25519, NistP256 and NistP384 in that order (Microsoft, "TLS Elliptic
 * Curves in Windows 10 1607 and later"). A TLS 1.3 server that accepts only others (X448,
 * P-521) fails Exchange's handshake, and so fails the probe, where OpenSSL's own list
 * would have passed. On OpenSSL 3.5 (Node 24) it also spares the ML-KEM key share that
 * OpenSSL's default sends in every hello (~0.1 ms of CPU a handshake, measured).
 */
export const EXCHANGE_GROUPS = 'X25519:P-256:P-384';

/**
 * One client SecureContext per set of extra anchors, made once per process. Without it
 * Node builds a fresh context for every tls.connect given `ca`, parsing the ~140 bundled
 * roots each time: about 40 ms of CPU per probe, which dominated a fleet run. The
 * context holds no session cache of its own (Node's client contexts store no sessions
 * unless asked), so every probe still does a full handshake and sees the certificate.
 * Looked up by the anchors' text, then by the pinned settings: one key joining both was a
 * new string of kilobytes to hash on every probe.
 */
const contexts = new BoundedCache<string, BoundedCache<string, tls.SecureContext>>(CACHE_BOUNDS.secureContexts);

/** The client SecureContext for `ctx`'s anchors and these settings; exported for its test. */
export function secureContextFor(
  ctx: ProbeContext,
  pinned: Pick<tls.SecureContextOptions, 'minVersion' | 'maxVersion' | 'ciphers'>,
): tls.SecureContext {
  // Keyed by the extra anchors and the settings: the bundled roots are the same for every probe.
  const caKey = ctx.tls.ca.join('\n');
  let bySettings = contexts.get(caKey);
  if (!bySettings) contexts.set(caKey, (bySettings = new BoundedCache(CACHE_BOUNDS.tlsSettings)));
  const settingsKey = `${pinned.minVersion ?? ''} ${pinned.maxVersion ?? ''} ${pinned.ciphers ?? ''}`;
  let context = bySettings.get(settingsKey);
  if (!context) {
    const anchors = trustAnchors(ctx);
    context = tls.createSecureContext({
      ...(anchors ? { ca: anchors } : {}),
      // Exchange Online never sends with TLS 1.0 or 1.1; only the version probe pins older ones.
      minVersion: pinned.minVersion ?? 'TLSv1.2',
      ...(pinned.maxVersion ? { maxVersion: pinned.maxVersion } : {}),
      ciphers: pinned.ciphers ?? PROBE_CIPHERS,
      ecdhCurve: EXCHANGE_GROUPS,
    });
    bySettings.set(settingsKey, context);
  }
  return context;
}

/**
 * TLS stage: the handshake on the socket STARTTLS opened (RFC 3207). The certificate is
 * not judged here — the connection completes whatever it presents, and the certificate
 * stage decides under the connector's TLS mode, so every reason can be named.
 * Ownership of the socket moves to the returned TLS socket; on failure both are destroyed.
 * `overrides` lets the version probe (`tls-versions.ts`) pin one protocol version.
 * `staple` is the OCSP response the server stapled (RFC 6066 §8), or null.
 */
export async function upgradeTls(
  ctx: ProbeContext,
  socket: net.Socket,
  servername: string | null,
  overrides: ProbeTlsOptions = {},
): Promise<{ socket: tls.TLSSocket; info: TlsInfo; staple: Buffer | null }> {
  const window = openWindow(ctx);
  let staple: Buffer | null = null;
  const { minVersion, maxVersion, ciphers, ...rest } = overrides;
  const options: ProbeTlsOptions = {
    socket,
    // SNI carries host names only (RFC 6066 §3); an IP literal sends none.
    ...(servername && !net.isIP(servername) ? { servername } : {}),
    // The context carries the anchors, versions, ciphers and groups: tls.connect ignores those
    // options when it is given a secureContext.
    secureContext: secureContextFor(ctx, { minVersion, maxVersion, ciphers }),
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    // Ask for a stapled OCSP response (status_request, RFC 6066 §8).
    requestOCSP: true,
    ...rest,
  };
  const secure = tls.connect(options);
  skipNodesChainCopy(secure);
  // Emitted once, before secureConnect, with the DER response or undefined when none was
  // stapled (`on`: nothing to unwrap, and the socket ends with the probe).
  secure.on('OCSPResponse', (response?: Buffer) => {
    staple = response?.length ? response : null;
  });
  try {
    await waitForEvent(secure, 'secureConnect', window, {
      abort: () => windowFailure(ctx, 'tls', window, say('tls.incomplete')),
      error: (err) => translateTlsError(err),
    });
    restoreGetPeerCertificate(secure);
    const cipher = secure.getCipher();
    return {
      socket: secure,
      staple,
      info: {
        protocol: secure.getProtocol(),
        cipher: cipher?.standardName ?? cipher?.name ?? null,
        authorized: secure.authorized,
        authorizationError: secure.authorizationError ? String(secure.authorizationError) : null,
      },
    };
  } catch (err) {
    secure.on('error', () => {});
    secure.destroy();
    socket.destroy();
    throw err;
  } finally {
    window.dispose();
  }
}

/**
 * When the chain verifies, tls.connect() builds `getPeerCertificate(true)` — every
 * certificate re-decoded and turned into a plain object with three fingerprints — only to
 * hand it to `checkServerIdentity`, which the prober replaces with a no-op (names are
 * judged by Exchange's TlsDomain rules in the certificate stage). On Node 20's OpenSSL 3
 * that copy costs ~0.7 ms of CPU per handshake: a quarter of a bare client's cost per
 * probe in a fleet. Until secureConnect this socket answers the detailed form with an
 * empty object; then Node's method is put back. Should Node stop calling it, nothing
 * changes but the cost (test/tls-upgrade.test.ts checks the restore).
 */
function skipNodesChainCopy(secure: tls.TLSSocket): void {
  const own = function getPeerCertificate(this: tls.TLSSocket, detailed?: boolean): tls.PeerCertificate | tls.DetailedPeerCertificate {
    if (detailed) return {} as tls.DetailedPeerCertificate;
    return tls.TLSSocket.prototype.getPeerCertificate.call(this, detailed);
  };
  Object.defineProperty(secure, 'getPeerCertificate', { value: own, configurable: true, writable: true });
}

/**
 * Node's method again, as the socket's own property: a `delete` would turn the socket into
 * a dictionary-mode object on Node 24 (V8 13), and every later property access of Node's
 * stream code on it slower.
 */
function restoreGetPeerCertificate(secure: tls.TLSSocket): void {
  secure.getPeerCertificate = tls.TLSSocket.prototype.getPeerCertificate;
}

function translateTlsError(err: NodeJS.ErrnoException & { syscall?: string }): StageFailure {
  const code = err.code ?? '';
  const known = TLS_ERRORS[code];
  if (known) return new StageFailure('tls', known.kind, say(known.text), { errno: code }, { cause: err });
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    // A reset carries the syscall that saw it; Node's "socket disconnected before secure
    // TLS connection was established" (the peer closed, EOF) carries none.
    return err.syscall
      ? new StageFailure('tls', 'reset', say('tls.reset'), { errno: code }, { cause: err })
      : new StageFailure('tls', 'closed', say('tls.closed'), { errno: code }, { cause: err });
  }
  return new StageFailure(
    'tls',
    'tls-handshake',
    // An error without a code (a socket destroyed with a plain Error) is named by its message.
    say('tls.failed', { reason: (err as { reason?: string }).reason ?? (code || err.message) }),
    code ? { errno: code } : {},
    { cause: err },
  );
}
