/**
 * probes/tls.ts on its own: the handshake over a plain socket to a loopback TLS server.
 * The TLS socket skips Node's detailed peer-certificate copy during the handshake (a
 * cost, never a result), so: trust is still decided by OpenSSL, and once upgradeTls
 * returns, getPeerCertificate(true) is Node's again.
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upgradeTls } from '../probes/tls.js';
import { certSet, serverTls, stageContext, type Leaf } from './fixtures/index.js';

const servers: tls.Server[] = [];

async function serve(leaf: Leaf): Promise<number> {
  const server = tls.createServer(serverTls(leaf), (s) => {
    s.on('error', () => {});
    s.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function upgrade(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  return upgradeTls(stageContext({ tls: { mode: 'certificate-validation', domain: null, ca: [certSet().root.cert], revocation: 'off' } }), socket, 'mx1.demo.test');
}

let good: number;
let expired: number;
let selfSigned: number;

beforeAll(async () => {
  good = await serve(certSet().valid());
  expired = await serve(certSet().expired);
  selfSigned = await serve(certSet().selfSigned);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('upgradeTls', () => {
  it('a good chain is authorized, and getPeerCertificate(true) is Node\'s again afterwards', async () => {
    const { socket, info } = await upgrade(good);
    try {
      expect(info).toMatchObject({ authorized: true, authorizationError: null });
      expect(socket.getPeerCertificate).toBe(tls.TLSSocket.prototype.getPeerCertificate);
      const detailed = socket.getPeerCertificate(true);
      expect(detailed.subject?.CN).toBe('mx1.demo.test');
      expect(detailed.issuerCertificate?.subject?.CN).toBe('mailflow-probe Test Intermediate');
    } finally {
      socket.destroy();
    }
  });

  it('chains that do not verify still carry OpenSSL\'s reason', async () => {
    for (const [port, reason] of [
      [expired, 'CERT_HAS_EXPIRED'],
      [selfSigned, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ] as const) {
      const { socket, info } = await upgrade(port);
      socket.destroy();
      expect(info).toMatchObject({ authorized: false, authorizationError: reason });
      expect(socket.getPeerCertificate).toBe(tls.TLSSocket.prototype.getPeerCertificate);
    }
  });
});
