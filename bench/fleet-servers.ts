/**
 * The benchmark's fleet: N healthy STARTTLS smart hosts, one per loopback address
 * (127.1.x.y), run in their own process so their CPU is not counted as the prober's.
 * Speaks just what a probe needs (greeting, EHLO, STARTTLS, EHLO, QUIT). Each host has
 * a certificate of its own (h<i>.fleet.demo.test and mx1.demo.test, one shared key, one
 * intermediate), as each tenant's smart host does: a prober that caches what it read of
 * a certificate gains nothing within one pass. Each certificate names a CRL distribution
 * point and an OCSP responder on a loopback PKI server in this process, as a public CA's
 * do; the CRL lists `--revoked` other serials (a CA's CRL is tens of kilobytes to
 * megabytes), with an ETag, and answers a matching If-None-Match with 304. The PKI
 * server counts requests and bytes per path: GET /stats (not counted) answers them.
 * Prints `{"hosts":[{"host","port"}…],"root":PEM,"pki":URL}` on stdout once all listen;
 * exits when stdin closes.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { certSet, issueLeaf, makeCrl } from '../test/fixtures/index.js';

const count = Number(process.argv[2] ?? 1000);
const revokedCount = Number(process.argv[3] ?? 2000);
const NAME = 'mx1.demo.test';

// The CA's revocation services. Serials 0x7f000000… are nobody's in the fleet.
const crl = await makeCrl(certSet().intermediate, { revoked: Array.from({ length: revokedCount }, (_, i) => (0x7f000000 + i).toString(16)) });
const etag = `"crl-${crl.length}"`;
const served: Record<string, { requests: number; bytes: number; notModified: number }> = {};
const pki = http.createServer((req, res) => {
  const path = req.url ?? '/';
  // Asked once before and once after a run: a kept-alive connection would sit idle through
  // the run and race the server's 5-s keep-alive close (fetch then fails, "other side closed").
  if (path === '/stats') return void res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(served));
  const seen = (served[path] ??= { requests: 0, bytes: 0, notModified: 0 });
  seen.requests++;
  if (path === '/intermediate.crl') {
    if (req.headers['if-none-match'] === etag) {
      seen.notModified++;
      return void res.writeHead(304, { etag }).end();
    }
    seen.bytes += crl.length;
    return void res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': crl.length, etag }).end(crl);
  }
  // The prober does not query OCSP responders (it reads a stapled response): counted, 404.
  res.writeHead(404).end();
});
await new Promise<void>((resolve) => pki.listen({ host: '127.0.0.1', port: 0 }, resolve));
const pkiUrl = `http://127.0.0.1:${(pki.address() as net.AddressInfo).port}`;

function serve(socket: net.Socket | tls.TLSSocket, secure: boolean, context: tls.SecureContext): void {
  let pending = '';
  const onData = (chunk: Buffer): void => {
    pending += chunk.toString('latin1');
    let end: number;
    while ((end = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, end).replace(/\r$/, '');
      pending = pending.slice(end + 1);
      const verb = (line.split(' ')[0] ?? '').toUpperCase();
      if (verb === 'EHLO') {
        socket.write(secure ? `250-${NAME}\r\n250-8BITMIME\r\n250 PIPELINING\r\n` : `250-${NAME}\r\n250-STARTTLS\r\n250-8BITMIME\r\n250 PIPELINING\r\n`);
      } else if (verb === 'STARTTLS' && !secure) {
        socket.off('data', onData);
        socket.write('220 2.0.0 Ready to start TLS\r\n');
        const upgraded = new tls.TLSSocket(socket as net.Socket, { isServer: true, secureContext: context });
        upgraded.on('error', () => upgraded.destroy());
        serve(upgraded, true, context);
        return;
      } else if (verb === 'QUIT') {
        socket.end('221 2.0.0 Bye\r\n');
        return;
      } else socket.write('250 2.0.0 OK\r\n');
    }
  };
  socket.on('data', onData);
}

const hosts: Array<{ host: string; port: number }> = [];
for (let i = 0; i < count; i++) {
  const host = `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  const leaf = issueLeaf(certSet().intermediate, {
    dnsNames: [`h${i}.fleet.demo.test`, NAME],
    aiaCaIssuersUrl: `${pkiUrl}/intermediate.crt`,
    crlUrl: `${pkiUrl}/intermediate.crl`,
    ocspUrl: `${pkiUrl}/ocsp`,
  });
  const context = tls.createSecureContext({ key: leaf.key, cert: leaf.fullchain });
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.write(`220 ${NAME} ESMTP\r\n`);
    serve(socket, false, context);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0, backlog: 1024 }, resolve);
  });
  hosts.push({ host, port: (server.address() as net.AddressInfo).port });
}
process.stdout.write(`${JSON.stringify({ hosts, root: certSet().root.cert, pki: pkiUrl, crlBytes: crl.length })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
