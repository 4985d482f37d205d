/**
 * Proves each loopback fixture behaves as its documentation says, with plain node:dns,
 * node:net and node:tls clients, so a failing prober test can be trusted to be the
 * prober's fault.
 */
import { X509Certificate } from 'node:crypto';
import dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import tls from 'node:tls';
import dnsPacket from 'dns-packet';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PROBE_CIPHERS } from '../probes/tls.js';
import {
  banner421,
  certSet,
  closeDuringHandshake,
  closedPort,
  ehloRejected,
  garbageBanner,
  issueLeaf,
  DEFAULT_SECURITY_LEVEL_2,
  loopbackHost,
  noBanner,
  noStarttls,
  resetAfterEhlo,
  serverTls,
  smtpScript,
  startBlackhole,
  startDns,
  startRaw,
  startSmtp,
  starttls454,
  type Leaf,
  type RawHandler,
  type Zone,
} from './fixtures/index.js';

const ZONE: Zone = {
  'smarthost.demo.test': { MX: [{ preference: 10, exchange: 'mx1.demo.test' }, { preference: 20, exchange: 'mx2.demo.test' }] },
  'mx1.demo.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
  'mx2.demo.test': { A: ['127.0.0.2'], AAAA: 'SERVFAIL' },
  'gone.demo.test': 'NXDOMAIN',
  'broken.demo.test': 'SERVFAIL',
  'refused.demo.test': 'REFUSED',
  'slow.demo.test': 'TIMEOUT',
  'nullmx.demo.test': { MX: [{ preference: 0, exchange: '.' }] },
  'txt.demo.test': { TXT: ['v=STSv1; id=1', ['part one ', 'part two'], 'x'.repeat(300)] },
  '_25._tcp.mx1.demo.test': { TLSA: [{ usage: 3, selector: 1, matchingType: 1, certificate: Buffer.alloc(32, 0xab) }] },
  'alias.demo.test': { CNAME: 'mx1.demo.test' },
  'lazy.demo.test': { A: ['127.0.0.3'], delayMs: 700 },
};

/** A Resolver on `address` that reports TIMEOUT, SERVFAIL and REFUSED at once instead of retrying. */
function resolverFor(address: string, timeout = 200): dns.Resolver {
  const resolver = new dns.Resolver({ timeout, tries: 1 });
  resolver.setServers([address]);
  return resolver;
}

async function dnsFixture(zone: Zone = ZONE, host?: string) {
  const server = await startDns(zone, host ? { host } : {});
  onTestFinished(() => server.close());
  return { server, resolver: resolverFor(server.address) };
}

function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: NodeJS.ErrnoException) => error.code,
  );
}

/** Connects to a loopback port; the socket is destroyed when the test ends. */
async function dial(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  const socket = net.connect({ host, port });
  onTestFinished(() => void socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** How a connection ended: 'end' for a FIN from the peer, else the error code. */
function ending(socket: net.Socket): Promise<string> {
  socket.resume(); // 'end' comes only once everything before it has been read
  return new Promise((resolve) => {
    socket.once('end', () => resolve('end'));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/**
 * Reads SMTP replies off a stream, each as its lines (RFC 5321 §4.2.1: a reply ends
 * with the line that has a space after the code).
 */
function smtpReader(stream: net.Socket) {
  let buffer = '';
  let lines: string[] = [];
  const ready: string[][] = [];
  const waiting: Array<(reply: string[]) => void> = [];
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      lines.push(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (lines[lines.length - 1]?.[3] !== '-') {
        const reply = lines;
        lines = [];
        const waiter = waiting.shift();
        if (waiter) waiter(reply);
        else ready.push(reply);
      }
    }
  };
  stream.on('data', onData);
  return {
    next: () => new Promise<string[]>((resolve) => (ready.length ? resolve(ready.shift()!) : waiting.push(resolve))),
    /** Sends a command and waits for its reply. */
    command(line: string) {
      stream.write(`${line}\r\n`);
      return this.next();
    },
    /** Stops reading, before the stream is handed to TLS. */
    stop: () => stream.off('data', onData),
  };
}

/** Starts TLS on an SMTP socket after its 220 to STARTTLS, trusting only the fixture root. */
function startTls(socket: net.Socket, servername = 'mx1.demo.test'): Promise<tls.TLSSocket> {
  const secured = tls.connect({ socket, servername, ca: [certSet().root.cert] });
  return new Promise((resolve, reject) => {
    secured.once('secureConnect', () => resolve(secured));
    secured.once('error', reject);
  });
}

/** Starts a raw fixture and connects to it. */
async function raw(handler: RawHandler, host?: string) {
  const server = await startRaw(handler, host ? { host } : {});
  onTestFinished(() => server.close());
  const socket = await dial(server.port, server.host);
  return { server, socket, reader: smtpReader(socket) };
}

describe('dns-server', () => {
  it('answers MX, A, AAAA, TXT, TLSA and CNAME over UDP, authoritatively', async () => {
    const { server, resolver } = await dnsFixture();
    // Node 24's resolveMx adds fields of its own; the answer is priority and exchange.
    const mx = (records: Array<{ priority: number; exchange: string }>) => records.map(({ priority, exchange }) => ({ priority, exchange }));
    expect(mx(await resolver.resolveMx('smarthost.demo.test'))).toEqual([
      { priority: 10, exchange: 'mx1.demo.test' },
      { priority: 20, exchange: 'mx2.demo.test' },
    ]);
    expect(await resolver.resolve4('MX1.demo.test', { ttl: true })).toEqual([{ address: '127.0.0.1', ttl: 60 }]);
    expect(await resolver.resolve6('mx1.demo.test')).toEqual(['::1']);
    expect(await resolver.resolveTxt('txt.demo.test')).toEqual([
      ['v=STSv1; id=1'],
      ['part one ', 'part two'],
      ['x'.repeat(255), 'x'.repeat(45)],
    ]);
    expect(await resolver.resolveCname('alias.demo.test')).toEqual(['mx1.demo.test']);
    expect(server.queries).toContainEqual({ name: 'mx1.demo.test', type: 'A' });

    const udp = dgram.createSocket('udp4');
    onTestFinished(() => {
      udp.close();
    });
    const query = dnsPacket.encode({ id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'TLSA', name: '_25._tcp.mx1.demo.test' }] });
    const response = await new Promise<dnsPacket.DecodedPacket>((resolve) => {
      udp.once('message', (message) => resolve(dnsPacket.decode(message)));
      udp.send(query, server.port, server.host);
    });
    expect(response).toMatchObject({ id: 4242, flag_aa: true, flag_rd: true, rcode: 'NOERROR' });
    expect(response.questions).toEqual([{ name: '_25._tcp.mx1.demo.test', type: 'TLSA', class: 'IN' }]);
    expect(response.answers?.[0]).toMatchObject({ type: 'TLSA', ttl: 60, data: { usage: 3, selector: 1, matchingType: 1 } });
  });

  it('gives a null MX as exchange "" (the root)', async () => {
    const { resolver } = await dnsFixture();
    const [record, ...more] = await resolver.resolveMx('nullmx.demo.test');
    expect(more).toEqual([]);
    expect({ priority: record?.priority, exchange: record?.exchange }).toEqual({ priority: 0, exchange: '' });
  });

  it('maps each outcome to its node:dns error code', async () => {
    const { resolver } = await dnsFixture();
    expect(await errorCode(resolver.resolve4('gone.demo.test'))).toBe('ENOTFOUND');
    expect(await errorCode(resolver.resolve4('absent.demo.test'))).toBe('ENOTFOUND');
    expect(await errorCode(resolver.resolve4('broken.demo.test'))).toBe('ESERVFAIL');
    expect(await errorCode(resolver.resolve4('refused.demo.test'))).toBe('EREFUSED');
    expect(await errorCode(resolver.resolve4('slow.demo.test'))).toBe('ETIMEOUT');
    expect(await errorCode(resolver.resolveMx('mx1.demo.test'))).toBe('ENODATA');
    expect(await errorCode(resolver.resolve6('mx2.demo.test'))).toBe('ESERVFAIL');
    expect(await resolver.resolve4('mx2.demo.test')).toEqual(['127.0.0.2']);
  });

  it('delays answers per name and server-wide, and swaps zones', async () => {
    const { server, resolver } = await dnsFixture();
    // c-ares gives up some time after its timeout (about 400 ms for 200 here), hence 700
    expect(await errorCode(resolver.resolve4('lazy.demo.test'))).toBe('ETIMEOUT');
    let started = Date.now();
    expect(await resolverFor(server.address, 2000).resolve4('lazy.demo.test')).toEqual(['127.0.0.3']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(680);

    server.setDelay(250);
    started = Date.now();
    expect(await resolverFor(server.address, 2000).resolve4('mx1.demo.test')).toEqual(['127.0.0.1']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(230);
    server.setDelay(0);

    server.setZone({ 'mx1.demo.test': { A: ['127.0.0.9'] } });
    expect(await resolverFor(server.address).resolve4('mx1.demo.test')).toEqual(['127.0.0.9']);
    expect(await errorCode(resolverFor(server.address).resolveMx('smarthost.demo.test'))).toBe('ENOTFOUND');
  });

  it('answers over TCP with length-prefixed messages, several per connection', async () => {
    const { server } = await dnsFixture();
    const socket = await dial(server.port);
    const ask = (id: number, name: string, type: 'A' | 'MX') => dnsPacket.streamEncode({ id, questions: [{ name, type }] });
    // both queries in one write, the second split across two
    const second = ask(2, 'gone.demo.test', 'A');
    socket.write(Buffer.concat([ask(1, 'smarthost.demo.test', 'MX'), second.subarray(0, 5)]));
    setTimeout(() => socket.write(second.subarray(5)), 20);

    const responses: dnsPacket.DecodedPacket[] = [];
    let pending = Buffer.alloc(0);
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
          responses.push(dnsPacket.decode(pending.subarray(2, 2 + pending.readUInt16BE(0))));
          pending = pending.subarray(2 + pending.readUInt16BE(0));
        }
        if (responses.length === 2) resolve();
      });
    });
    expect(responses[0]).toMatchObject({ id: 1, rcode: 'NOERROR', answers: [{ type: 'MX' }, { type: 'MX' }] });
    expect(responses[1]).toMatchObject({ id: 2, rcode: 'NXDOMAIN', answers: [] });
    expect(server.connections()).toBe(1);
    await server.close();
    expect(server.connections()).toBe(0);
  });
});

describe('certs', () => {
  /** Serves `leaf` over TLS and connects trusting only the fixture root. */
  async function handshake(leaf: Leaf, servername = 'mx1.demo.test', ciphers?: string) {
    const server = await startRaw((socket) => {
      const secured = new tls.TLSSocket(socket, { isServer: true, ...serverTls(leaf) });
      secured.on('error', () => secured.destroy());
    });
    onTestFinished(() => server.close());
    const client = tls.connect({ host: server.host, port: server.port, servername, ca: [certSet().root.cert], rejectUnauthorized: false, ...(ciphers ? { ciphers } : {}) });
    onTestFinished(() => void client.destroy());
    await new Promise((resolve, reject) => {
      client.once('secureConnect', resolve);
      client.once('error', reject);
    });
    return { authorized: client.authorized, error: client.authorizationError?.toString(), chain: client.getPeerCertificate(true) };
  }

  it('builds a chain a client trusting only the root accepts', async () => {
    const set = certSet();
    expect(await handshake(set.valid())).toMatchObject({ authorized: true });
    expect(await handshake(set.valid('localhost'), 'localhost')).toMatchObject({ authorized: true });
    expect(await handshake(set.wildcard, 'smtp.demo.test')).toMatchObject({ authorized: true });
    expect(set.valid().chain).toEqual([set.valid().cert, set.intermediate.cert]);
  });

  it.each([
    ['expired', 'CERT_HAS_EXPIRED'],
    ['notYetValid', 'CERT_NOT_YET_VALID'],
    ['wrongName', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['selfSigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['unknownCa', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
    ['withoutIntermediate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ] as const)('%s fails with %s', async (name, code) => {
    expect(await handshake(certSet()[name])).toMatchObject({ authorized: false, error: code });
  });

  it('serves weak leaves: the prober (security level 0) takes both; a default client refuses SHA-1, and RSA-1024 at security level 2 (Node 24)', async () => {
    const { intermediate } = certSet();
    const sha1 = issueLeaf(intermediate, { dnsNames: ['mx1.demo.test'], hash: 'sha1' });
    expect(await handshake(sha1)).toMatchObject({ authorized: false, error: 'UNSPECIFIED' });
    expect(await handshake(sha1, 'mx1.demo.test', PROBE_CIPHERS)).toMatchObject({ authorized: true });
    const rsa1024 = issueLeaf(intermediate, { dnsNames: ['mx1.demo.test'], keyBits: 1024 });
    // OpenSSL 3.2 raised the default security level to 2 (RSA keys of 2048 bits or more): Node 24 (OpenSSL 3.5) refuses it by default; Node 20 (3.0) and Node 22 (3.5, level pinned at 1) do not
    expect(await handshake(rsa1024)).toMatchObject(DEFAULT_SECURITY_LEVEL_2 ? { authorized: false, error: 'UNSPECIFIED' } : { authorized: true });
    expect(await handshake(rsa1024, 'mx1.demo.test', PROBE_CIPHERS)).toMatchObject({ authorized: true });
  });

  it('shapes leaves like a public CA does', () => {
    const leaf = certSet().valid().forgeCert;
    expect(leaf.getExtension('subjectAltName')).toMatchObject({
      altNames: [
        { type: 2, value: 'mx1.demo.test' },
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    });
    expect(leaf.getExtension('extKeyUsage')).toMatchObject({ serverAuth: true });
    expect(leaf.getExtension('keyUsage')).toMatchObject({ digitalSignature: true, keyEncipherment: true });
    const aia = new X509Certificate(certSet().valid().cert).infoAccess;
    expect(aia).toContain('CA Issuers - URI:http://127.0.0.1/intermediate.crt');
    const { expired, notYetValid, wrongName } = certSet();
    const serials = [expired, notYetValid, wrongName].map((leaf) => leaf.forgeCert.serialNumber);
    expect(new Set(serials).size).toBe(3);
    for (const serial of serials) expect(serial).toMatch(/^[1-7][0-9a-f]{31}$/);
  });
});

describe('smtp', () => {
  it('speaks EHLO, STARTTLS, TLS, and takes a message over it', async () => {
    const server = await startSmtp({ banner: 'fixture ready' });
    onTestFinished(() => server.close());
    const socket = await dial(server.port);
    const plain = smtpReader(socket);
    expect(await plain.next()).toEqual(['220 mx1.demo.test ESMTP fixture ready']);
    const ehlo = await plain.command('EHLO probe.demo.test');
    expect(ehlo[0]).toMatch(/^250-mx1\.demo\.test/);
    expect(ehlo.map((line) => line.slice(4))).toEqual(expect.arrayContaining(['STARTTLS', 'SIZE 36700160']));
    expect(ehlo.join('\n')).not.toMatch(/AUTH/);
    expect(await plain.command('STARTTLS')).toEqual([expect.stringMatching(/^220 /)]);
    plain.stop();

    const secured = await startTls(socket);
    expect(secured.authorized).toBe(true);
    const reader = smtpReader(secured);
    expect((await reader.command('EHLO probe.demo.test')).join('\n')).not.toMatch(/STARTTLS/);
    expect(await reader.command('MAIL FROM:<probe@demo.test>')).toEqual([expect.stringMatching(/^250 /)]);
    expect(await reader.command('RCPT TO:<postmaster@demo.test>')).toEqual([expect.stringMatching(/^250 /)]);
    expect(await reader.command('DATA')).toEqual([expect.stringMatching(/^354 /)]);
    expect(await reader.command('Subject: probe\r\n\r\n..dot-stuffed\r\n.')).toEqual([expect.stringMatching(/^250 OK: queued as Q0001/)]);
    expect(await reader.command('QUIT')).toEqual([expect.stringMatching(/^221 /)]);

    expect(server.messages).toEqual([
      { from: 'probe@demo.test', to: ['postmaster@demo.test'], data: 'Subject: probe\r\n\r\n.dot-stuffed\r\n', secure: true, queueId: expect.stringMatching(/^Q0001/) },
    ]);
    expect(server.sessions[0]).toMatchObject({ hostNameAppearsAs: 'probe.demo.test', secure: true, servername: 'mx1.demo.test' });
    await server.close();
    expect(server.connections()).toBe(0);
  });

  it('serves the certificate it is given, and can leave STARTTLS out', async () => {
    const expired = await startSmtp({ tls: certSet().expired });
    onTestFinished(() => expired.close());
    const socket = await dial(expired.port);
    const reader = smtpReader(socket);
    await reader.next();
    await reader.command('EHLO probe.demo.test');
    await reader.command('STARTTLS');
    reader.stop();
    await expect(startTls(socket)).rejects.toMatchObject({ code: 'CERT_HAS_EXPIRED' });

    const plain = await startSmtp({ starttls: false, hideSize: true, name: 'plain.demo.test' });
    onTestFinished(() => plain.close());
    const client = smtpReader(await dial(plain.port));
    expect(await client.next()).toEqual(['220 plain.demo.test ESMTP']);
    const ehlo = (await client.command('EHLO probe.demo.test')).map((line) => line.slice(4));
    expect(ehlo).toContain('SIZE');
    expect(ehlo).not.toContain('STARTTLS');
    expect(await client.command('STARTTLS')).toEqual([expect.stringMatching(/^5\d\d /)]);
  });

  it('closes with every connection gone, mid-session or mid-handshake', async () => {
    const server = await startSmtp();
    const idle = await dial(server.port);
    const handshaking = await dial(server.port);
    const reader = smtpReader(handshaking);
    await reader.next();
    await reader.command('EHLO probe.demo.test');
    await reader.command('STARTTLS');
    reader.stop();
    handshaking.write(Buffer.from([0x16, 0x03, 0x01])); // the start of a ClientHello, never finished
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.connections()).toBe(2);
    const ended = Promise.all([ending(idle), ending(handshaking)]);
    await server.close();
    expect(server.connections()).toBe(0);
    await ended;
  });
});

describe('raw', () => {
  it('banner421 greets with 421 and closes', async () => {
    const { socket, reader } = await raw(banner421);
    const end = ending(socket);
    expect(await reader.next()).toEqual(['421 4.3.2 Service not available']);
    expect(await end).toBe('end');
  });

  it('noBanner stays silent and open', async () => {
    const { server, socket } = await raw(noBanner);
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toEqual([]);
    expect(server.connections()).toBe(1);
    const end = ending(socket);
    await server.close();
    expect(server.connections()).toBe(0);
    expect(await end).toBe('end');
  });

  it('garbageBanner answers like a web server', async () => {
    const { socket } = await raw(garbageBanner);
    const first = await new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(chunk.toString())));
    expect(first).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('resetAfterEhlo resets the connection (ECONNRESET)', async () => {
    const { socket, reader } = await raw(resetAfterEhlo);
    expect(await reader.next()).toEqual([expect.stringMatching(/^220 /)]);
    const end = ending(socket);
    socket.write('EHLO probe.demo.test\r\n');
    expect(await end).toBe('ECONNRESET');
  });

  /** Greets, EHLOs and sends STARTTLS; returns the EHLO reply and the STARTTLS reply. */
  async function upToStarttls(reader: ReturnType<typeof smtpReader>) {
    expect(await reader.next()).toEqual([expect.stringMatching(/^220 /)]);
    const ehlo = await reader.command('EHLO probe.demo.test');
    return { ehlo, starttls: await reader.command('STARTTLS') };
  }

  it('closeDuringHandshake ends the connection when the ClientHello arrives', async () => {
    const { socket, reader } = await raw(closeDuringHandshake);
    const { ehlo, starttls } = await upToStarttls(reader);
    expect(ehlo).toContain('250 STARTTLS');
    expect(starttls).toEqual(['220 2.0.0 Ready to start TLS']);
    reader.stop();
    // Node reports an EOF before the handshake finished as ECONNRESET too, by its message
    await expect(startTls(socket)).rejects.toMatchObject({
      code: 'ECONNRESET',
      message: expect.stringMatching(/disconnected before secure TLS connection/),
    });
  });

  it("smtpScript({ onStarttls: 'rst' }) resets the connection when the ClientHello arrives", async () => {
    const { socket, reader } = await raw(smtpScript({ onStarttls: 'rst' }));
    await upToStarttls(reader);
    reader.stop();
    await expect(startTls(socket)).rejects.toMatchObject({ code: 'ECONNRESET', syscall: 'read' });
  });

  it('noStarttls leaves STARTTLS out and refuses it', async () => {
    const { socket, reader } = await raw(noStarttls);
    const { ehlo, starttls } = await upToStarttls(reader);
    expect(ehlo).toEqual(['250-mx1.demo.test', '250-PIPELINING', '250-8BITMIME', '250 SIZE 36700160']);
    expect(starttls).toEqual(['502 5.5.1 STARTTLS not offered']);
    expect(await reader.command('NOOP')).toEqual(['250 2.0.0 OK']);
    const end = ending(socket);
    expect(await reader.command('QUIT')).toEqual(['221 2.0.0 Bye']);
    expect(await end).toBe('end');
  });

  it('starttls454 offers STARTTLS and refuses it with 454 4.7.0', async () => {
    const { reader } = await raw(starttls454);
    const { ehlo, starttls } = await upToStarttls(reader);
    expect(ehlo).toContain('250 STARTTLS');
    expect(starttls).toEqual(['454 4.7.0 TLS not available due to temporary reason']);
  });

  it('ehloRejected refuses EHLO, and HELO too when asked', async () => {
    const helo = await raw(ehloRejected(false));
    await helo.reader.next();
    expect(await helo.reader.command('EHLO probe.demo.test')).toEqual(['502 5.5.1 Command not implemented']);
    expect(await helo.reader.command('HELO probe.demo.test')).toEqual(['250 mx1.demo.test']);

    const neither = await raw(ehloRejected(true));
    await neither.reader.next();
    expect(await neither.reader.command('EHLO probe.demo.test')).toEqual(['502 5.5.1 Command not implemented']);
    expect(await neither.reader.command('HELO probe.demo.test')).toEqual(['550 5.7.1 HELO rejected']);
  });

  it('smtpScript upgrades to TLS and goes on over it', async () => {
    const leaf = certSet().valid(['smtp.demo.test']);
    const { socket, reader } = await raw(smtpScript({ banner: '220 smtp.demo.test hello', tls: { key: leaf.key, cert: leaf.fullchain } }));
    expect(await reader.next()).toEqual(['220 smtp.demo.test hello']);
    await reader.command('EHLO probe.demo.test');
    await reader.command('STARTTLS');
    reader.stop();
    const secured = await startTls(socket, 'smtp.demo.test');
    expect(secured.authorized).toBe(true);
    const overTls = smtpReader(secured);
    expect(await overTls.command('EHLO probe.demo.test')).toEqual(['250-mx1.demo.test', '250-PIPELINING', '250 8BITMIME']);
    expect(await overTls.command('QUIT')).toEqual(['221 2.0.0 Bye']);
  });

  it('smtpScript passes tlsOptions on, e.g. to play a TLS 1.1-only server', async () => {
    const { socket, reader } = await raw(smtpScript({ tlsOptions: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } }));
    await upToStarttls(reader);
    reader.stop();
    await expect(startTls(socket)).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
  });

  it('closedPort refuses connections', async () => {
    const port = await closedPort();
    await expect(dial(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('startBlackhole leaves connect() hanging', async () => {
    const blackhole = await startBlackhole();
    onTestFinished(() => blackhole.close());
    const socket = net.connect({ host: blackhole.host, port: blackhole.port });
    const outcome = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('pending'), 1500);
      socket.once('connect', () => resolve('connect'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      socket.once('close', () => clearTimeout(timer));
    });
    socket.destroy();
    expect(outcome).toBe('pending');
  });
});

describe('loopback', () => {
  it('works on 127.0.0.2 as on 127.0.0.1', async () => {
    const host = '127.0.0.2';
    const { server, resolver } = await dnsFixture(ZONE, host);
    expect(server.address).toBe(`127.0.0.2:${server.port}`);
    expect(await resolver.resolveMx('smarthost.demo.test')).toHaveLength(2);

    const smtp = await startSmtp({ host });
    onTestFinished(() => smtp.close());
    expect(await smtpReader(await dial(smtp.port, host)).next()).toEqual([expect.stringMatching(/^220 /)]);

    const { reader } = await raw(banner421, host);
    expect(await reader.next()).toEqual(['421 4.3.2 Service not available']);

    await expect(dial(await closedPort(host), host)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const blackhole = await startBlackhole({ host });
    onTestFinished(() => blackhole.close());
    const socket = net.connect({ host, port: blackhole.port });
    onTestFinished(() => void socket.destroy());
    let settled = false;
    socket.once('connect', () => (settled = true)).once('error', () => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(settled).toBe(false);
  });

  it.skipIf(!Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === '::1')))(
    'works on ::1',
    async () => {
      const { resolver } = await dnsFixture(ZONE, '::1');
      expect(await resolver.resolve6('mx1.demo.test')).toEqual(['::1']);
      const smtp = await startSmtp({ host: '::1' });
      onTestFinished(() => smtp.close());
      expect(await smtpReader(await dial(smtp.port, '::1')).next()).toEqual([expect.stringMatching(/^220 /)]);
      const { reader } = await raw(starttls454, '::1');
      expect(await reader.next()).toEqual([expect.stringMatching(/^220 /)]);
    },
  );

  it('refuses anything but loopback IP literals', async () => {
    for (const host of ['0.0.0.0', '10.0.0.1', '::', 'localhost', 'mx1.demo.test']) {
      expect(() => loopbackHost(host)).toThrow(/loopback/);
    }
    await expect(startRaw(noBanner, { host: '0.0.0.0' })).rejects.toThrow(/loopback/);
    expect(loopbackHost('::1')).toBe('::1');
  });
});
