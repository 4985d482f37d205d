/**
 * What the deep certificate checks cost, on loopback: a whole probe with a chain that
 * names no revocation source, with a CRL to fetch, with a stapled OCSP response, and
 * against a TLS 1.1-only server (the extra sessions that find the versions it offers).
 * Run after `npm run build`: `node bench/certificate-stage.mjs [runs]`. Loopback only.
 */
import {
  certSet, issueLeaf, makeCrl, makeOcspResponse, smtpScript, startDns, startHttp, startRaw,
} from '../dist/test/fixtures/index.js';
import { probe } from '../dist/src/index.js';

const runs = Number(process.argv[2] ?? 30);
const dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } });
const http = await startHttp();
const { intermediate, root } = certSet();
const names = ['mx1.demo.test'];

http.routes['/i.crl'] = await makeCrl(intermediate, { revoked: Array.from({ length: 1000 }, (_, i) => (0x100000 + i).toString(16)) });
// a large CA's CRL: 20 000 entries, 440 kB (building it takes a few seconds)
http.routes['/big.crl'] = await makeCrl(intermediate, { revoked: Array.from({ length: 20000 }, (_, i) => (0x100000 + i).toString(16)) });
const withBigCrl = issueLeaf(intermediate, { dnsNames: names, crlUrl: http.url('/big.crl') });
const plain = issueLeaf(intermediate, { dnsNames: names });
const withCrl = issueLeaf(intermediate, { dnsNames: names, crlUrl: http.url('/i.crl') });
const stapled = issueLeaf(intermediate, { dnsNames: names, crlUrl: http.url('/i.crl') });
const staple = await makeOcspResponse(intermediate, stapled.cert, { status: 'good' });

const cases = [
  ['no revocation source', await startRaw(smtpScript({ tls: plain }))],
  ['CRL (1000 entries) over HTTP', await startRaw(smtpScript({ tls: withCrl }))],
  ['CRL (20 000 entries, 440 kB) over HTTP', await startRaw(smtpScript({ tls: withBigCrl }))],
  ['stapled OCSP', await startRaw(smtpScript({ tls: stapled, staple }))],
  ['TLS 1.1-only server (+2 sessions)', await startRaw(smtpScript({ tlsOptions: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } }))],
];
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
for (const [name, server] of cases) {
  const total = [];
  const cert = [];
  for (let i = 0; i < runs; i++) {
    const r = await probe('mx1.demo.test', { port: server.port, resolvers: [dns.address], ca: [root.cert], ehloName: 'probe.demo.test' });
    total.push(r.durationMs);
    const stage = r.paths[0].stages.find((s) => s.name === 'certificate' || (s.name === 'tls' && !s.ok));
    cert.push(stage?.ms ?? 0);
  }
  total.sort((a, b) => a - b);
  cert.sort((a, b) => a - b);
  console.log(`${name.padEnd(40)} probe median ${pct(total, 0.5).toFixed(1)} ms p95 ${pct(total, 0.95).toFixed(1)} ms · stage median ${pct(cert, 0.5).toFixed(1)} ms p95 ${pct(cert, 0.95).toFixed(1)} ms`);
  await server.close();
}
await http.close();
await dns.close();
