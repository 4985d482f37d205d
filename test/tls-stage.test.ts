/**
 * The TLS stage (probes/tls.ts) on its own, over a plain socket to loopback servers: what
 * the handshake settled on, the versions and ciphers a caller pins, SNI, the stapled OCSP
 * response, and every handshake failure as a whole fact (stage, kind, message, errno),
 * with both sockets destroyed. Written for mutation testing (issue 20); test/tls-upgrade
 * covers the trust decision and the peer-certificate restore.
 */
import net from 'node:net';
import tls from 'node:tls';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { StageFailure } from '../probes/stage.js';
import { secureContextFor, upgradeTls, type ProbeTlsOptions } from '../probes/tls.js';
import { certSet, issueLeaf, OPENSSL_3_2, serverTls, stageContext, startRaw } from './fixtures/index.js';
import { spoken } from './fixtures/spoken.js';

/** A TLS server on loopback; records the SNI each client sent. */
async function serve(options: tls.TlsOptions = {}, onSecure?: (s: tls.TLSSocket) => void) {
  const names: Array<string | false> = [];
  const server = tls.createServer({ ...serverTls(certSet().valid()), ...options }, (s) => {
    names.push((s as tls.TLSSocket & { servername?: string | false }).servername ?? false);
    s.on('error', () => {});
    onSecure?.(s);
    s.end();
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as net.AddressInfo).port, names };
}

async function dial(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  onTestFinished(() => {
    socket.destroy();
  });
  return socket;
}

const ctx = (o: { ca?: string[]; stageTimeoutMs?: number } = {}) =>
  stageContext({ stageTimeoutMs: o.stageTimeoutMs ?? 5_000, tls: { mode: 'certificate-validation', domain: null, ca: o.ca ?? [certSet().root.cert], revocation: 'off' } });

async function upgrade(port: number, servername: string | null = 'mx1.demo.test', overrides?: ProbeTlsOptions, context = ctx()) {
  const socket = await dial(port);
  const up = await upgradeTls(context, socket, servername, overrides);
  onTestFinished(() => {
    up.socket.destroy();
  });
  return up;
}

/**
 * The failure of an upgrade, as a record, and whether both sockets were destroyed. A failure
 * with an errno keeps Node's error, of that code, as its cause. `during` acts on the plain
 * socket once the handshake has started.
 */
async function failed(port: number, overrides?: ProbeTlsOptions, context = ctx(), during?: (socket: net.Socket) => void) {
  const socket = await dial(port);
  const upgrading = upgradeTls(context, socket, 'mx1.demo.test', overrides);
  during?.(socket);
  const err = await upgrading.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StageFailure);
  const failure = spoken((err as StageFailure).toJSON());
  if (failure.errno !== undefined) expect(((err as StageFailure).cause as NodeJS.ErrnoException).code).toBe(failure.errno);
  return { failure, destroyed: socket.destroyed };
}

const TLS12 = { minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'DEFAULT:@SECLEVEL=0' } as const;

describe('upgradeTls: what the handshake settled on', () => {
  it('TLS 1.3 by default, its IANA cipher name, authorized by the extra anchor', async () => {
    const s = await serve();
    const up = await upgrade(s.port);
    expect([up.info, up.staple, up.socket.encrypted]).toEqual([
      { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', authorized: true, authorizationError: null },
      null,
      true,
    ]);
  });

  it('a pinned maximum and cipher are offered as given (one context per setting: the default one is not reused)', async () => {
    const s = await serve(TLS12);
    await upgrade(s.port);
    const up = await upgrade(s.port, 'mx1.demo.test', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    expect([up.info.protocol, up.info.cipher]).toEqual(['TLSv1.2', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
  });

  it('a pinned maximum alone holds a TLS 1.3 server to TLS 1.2', async () => {
    const s = await serve();
    const up = await upgrade(s.port, 'mx1.demo.test', { maxVersion: 'TLSv1.2' });
    expect([up.info.protocol, up.info.cipher]).toEqual(['TLSv1.2', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
  });

  it('a SHA-1-signed leaf still verifies (security level 0): the certificate stage names the weakness, not a bare UNSPECIFIED', async () => {
    const s = await serve(serverTls(issueLeaf(certSet().intermediate, { dnsNames: ['mx1.demo.test'], hash: 'sha1' })));
    const up = await upgrade(s.port);
    expect(up.info).toEqual({ protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', authorized: true, authorizationError: null });
  });

  it('one SecureContext per settings and anchors, made once and reused', () => {
    const first = secureContextFor(ctx(), {});
    expect(secureContextFor(ctx(), {})).toBe(first);
    expect(secureContextFor(ctx(), { maxVersion: 'TLSv1.2' })).not.toBe(first);
    expect(secureContextFor(ctx({ ca: [] }), {})).not.toBe(first);
  });

  it('Node’s detailed copy of the chain is skipped during the handshake: its identity hook gets an empty object (the socket answers in full afterwards)', async () => {
    const s = await serve();
    const seen: unknown[] = [];
    const up = await upgrade(s.port, 'mx1.demo.test', {
      checkServerIdentity: (host, cert) => {
        seen.push([host, cert]);
        return undefined;
      },
    });
    expect(seen).toEqual([['mx1.demo.test', {}]]);
    expect(up.socket.getPeerCertificate(true).subject.CN).toBe('mx1.demo.test');
  });

  it('a pinned legacy version (the version probe) completes with a server that speaks it', async () => {
    const s = await serve({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    const up = await upgrade(s.port, null, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    expect(up.info.protocol).toBe('TLSv1.1');
  });

  it('without the extra anchor, the chain is not authorized and OpenSSL’s reason is kept (the anchors are part of the context’s key)', async () => {
    const s = await serve();
    await upgrade(s.port);
    const up = await upgrade(s.port, 'mx1.demo.test', undefined, ctx({ ca: [] }));
    expect([up.info.authorized, up.info.authorizationError]).toEqual([false, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);
  });

  it('SNI carries a host name; an IP literal or no name sends none', async () => {
    const s = await serve();
    await upgrade(s.port, 'mx1.demo.test');
    await upgrade(s.port, '127.0.0.1');
    await upgrade(s.port, null);
    // the server's side of a handshake may end after the client's
    await vi.waitFor(() => expect(s.names).toEqual(['mx1.demo.test', false, false]));
  });

  it('the OCSP response the server staples is returned; an empty one is none', async () => {
    const staple = Buffer.from('a stapled OCSP response');
    const stapling = tls.createServer(serverTls(certSet().valid()), (s) => s.end());
    let answer: Buffer | null = staple;
    stapling.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, done: (err: Error | null, response?: Buffer) => void) => done(null, answer ?? undefined));
    await new Promise<void>((resolve) => stapling.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => stapling.close(() => resolve())));
    const port = (stapling.address() as net.AddressInfo).port;
    expect((await upgrade(port)).staple).toEqual(staple);
    answer = Buffer.alloc(0);
    expect((await upgrade(port)).staple).toBeNull();
  });
});

/** The server's handshake_failure alert, as the tls stage's failure (no cipher suite or group in common). */
const HANDSHAKE_ALERT = {
  stage: 'tls',
  kind: 'tls-no-shared-cipher',
  message: 'the server aborted the handshake (handshake_failure alert): usually no cipher suite or key-exchange group in common',
  // OpenSSL 3.0 (Node 20) names the alert sslv3, 3.2 and later (Node 24) ssl/tls.
  errno: OPENSSL_3_2 ? 'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE' : 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
};

describe('upgradeTls: failures, as whole facts', () => {
  it('a server below TLS 1.2 answers with a protocol_version alert: tls-version', async () => {
    const s = await serve({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    expect(await failed(s.port)).toEqual({
      failure: {
        stage: 'tls',
        kind: 'tls-version',
        message: 'the server does not offer TLS 1.2 or later (protocol_version alert); Exchange Online requires TLS 1.2 or later',
        errno: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
      },
      destroyed: true,
    });
  });

  it('no cipher in common: the server’s handshake_failure alert is tls-no-shared-cipher', async () => {
    const s = await serve({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' });
    expect(await failed(s.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })).toEqual({ failure: HANDSHAKE_ALERT, destroyed: true });
  });

  it('no key-exchange group in common: a TLS 1.3 server that takes only X448 or P-521 fails as Exchange’s Schannel would (curve25519, NistP256, NistP384), though OpenSSL’s own list passes', async () => {
    for (const group of ['X448', 'P-521']) {
      const s = await serve({ ecdhCurve: group, minVersion: 'TLSv1.3' });
      // The same server passes a client with OpenSSL's default groups: the failure is the offer's.
      const plain = tls.connect({ host: '127.0.0.1', port: s.port, rejectUnauthorized: false });
      onTestFinished(() => {
        plain.destroy();
      });
      await new Promise((resolve, reject) => plain.once('secureConnect', resolve).once('error', reject));
      expect(plain.getEphemeralKeyInfo()).toMatchObject({ type: 'ECDH', size: group === 'X448' ? 448 : 521 });
      expect(await failed(s.port)).toEqual({ failure: HANDSHAKE_ALERT, destroyed: true });
    }
  });

  it('a server that takes only P-384 gets it, Exchange’s third group (TLS 1.3 and 1.2)', async () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const s = await serve({ ecdhCurve: 'P-384', maxVersion });
      const { socket, info } = await upgrade(s.port);
      expect(info.protocol).toBe(maxVersion);
      expect(socket.getEphemeralKeyInfo()).toEqual({ type: 'ECDH', name: 'secp384r1', size: 384 });
    }
  });

  it('a server that chooses TLS 1.0 for a client pinned to TLS 1.2 (no supported_versions to refuse it by): tls-version, OpenSSL’s unsupported protocol', async () => {
    const s = await serve({ minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    expect(await failed(s.port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toEqual({
      failure: {
        stage: 'tls',
        kind: 'tls-version',
        message: 'the server chose a TLS version below 1.2; Exchange Online requires TLS 1.2 or later',
        errno: 'ERR_SSL_UNSUPPORTED_PROTOCOL',
      },
      destroyed: true,
    });
  });

  it('a pinned version its security level forbids (TLS 1.0 at level 3) fails before the hello leaves: tls-version, no version in common', async () => {
    const s = await serve();
    expect(await failed(s.port, { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=3' })).toEqual({
      failure: { stage: 'tls', kind: 'tls-version', message: 'no TLS version in common; Exchange Online requires TLS 1.2 or later', errno: 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' },
      destroyed: true,
    });
  });

  it('a pinned cipher list with nothing usable at the pinned version fails before the hello leaves: tls-no-shared-cipher', async () => {
    const s = await serve();
    expect(await failed(s.port, { maxVersion: 'TLSv1.2', ciphers: 'aNULL' })).toEqual({
      failure: { stage: 'tls', kind: 'tls-no-shared-cipher', message: 'no cipher suite in common', errno: 'ERR_SSL_NO_CIPHERS_AVAILABLE' },
      destroyed: true,
    });
  });

  it.each([
    ['closes (FIN) on the ClientHello: closed', (c: net.Socket) => c.end(), 'closed', 'the server closed the connection during the TLS handshake'],
    ['resets on the ClientHello: reset', (c: net.Socket) => c.resetAndDestroy(), 'reset', 'the connection was reset during the TLS handshake'],
  ] as const)('a server that %s', async (_what, act, kind, message) => {
    const raw = await startRaw((c) => c.once('data', () => act(c)));
    onTestFinished(() => raw.close());
    expect(await failed(raw.port)).toEqual({ failure: { stage: 'tls', kind, message, errno: 'ECONNRESET' }, destroyed: true });
  });

  it('a server that answers in plaintext: tls-handshake with OpenSSL’s reason', async () => {
    const raw = await startRaw((c) => c.once('data', () => c.write('220 still talking SMTP\r\n')));
    onTestFinished(() => raw.close());
    expect(await failed(raw.port)).toEqual({
      failure: { stage: 'tls', kind: 'tls-handshake', message: 'TLS negotiation failed: wrong version number', errno: 'ERR_SSL_WRONG_VERSION_NUMBER' },
      destroyed: true,
    });
  });

  it('a socket destroyed with an error that has no code: tls-handshake, named by the error’s message', async () => {
    const raw = await startRaw(() => {});
    onTestFinished(() => raw.close());
    expect(await failed(raw.port, undefined, ctx(), (socket) => socket.destroy(new Error('the caller gave up')))).toEqual({
      failure: { stage: 'tls', kind: 'tls-handshake', message: 'TLS negotiation failed: the caller gave up' },
      destroyed: true,
    });
  });

  it('a server that never answers the ClientHello: timeout within the stage timeout', async () => {
    const raw = await startRaw(() => {});
    onTestFinished(() => raw.close());
    expect(await failed(raw.port, undefined, ctx({ stageTimeoutMs: 300 }))).toEqual({
      failure: { stage: 'tls', kind: 'timeout', message: 'the TLS handshake did not complete within 300 ms', timeoutMs: 300 },
      destroyed: true,
    });
  });
});
