/**
 * The DNS queries node:dns cannot make (probes/lib/dns-query.ts): rcode and AD bit as
 * answered, answers of the asked type and name only, the retry over TCP when the UDP
 * answer is truncated (RFC 7766), and each way a resolver fails, as a QueryError with its
 * reason and message. Against the loopback DNS server, and byte-level UDP/TCP servers for
 * what it does not do (truncation, a wrong id, garbage, a close). Written for mutation
 * testing (issue 20): the policies' tests reach these only through the whole engine.
 */
import net from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket, type Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { queryDns, QueryError, serverAddress, txtStrings } from '../probes/lib/dns-query.js';
import type { ResolverAddress } from '../probes/stage.js';
import { startByteDns } from './fixtures/byte-dns.js';
import { dnsContext, dnsServer } from './fixtures/dns-context.js';
import type { Zone } from './fixtures/index.js';

const context = dnsContext;
const server = dnsServer;

const at = (s: { host: string; port: number }): ResolverAddress => ({ host: s.host, port: s.port });

/** What a rejected query gave: its class, reason and message. */
async function failure(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QueryError);
  const q = err as QueryError;
  return { name: q.name, reason: q.reason, message: q.message };
}

const TXT = (name: string, text: string): Answer => ({ type: 'TXT', name, ttl: 60, class: 'IN', data: [Buffer.from(text)] });

function response(query: DecodedPacket, o: { answers?: Answer[]; flags?: number; id?: number; type?: 'query' | 'response' } = {}): Packet {
  return { type: o.type ?? 'response', id: o.id ?? query.id ?? 0, flags: o.flags ?? 0, questions: query.questions ?? [], answers: o.answers ?? [] };
}

const encode = (p: Packet): Buffer => dnsPacket.encode(p);
const stream = (p: Packet): Buffer => dnsPacket.streamEncode(p);

describe('queryDns: the answer', () => {
  it('TXT records of the name, each record’s strings joined; rcode NOERROR, not authenticated', async () => {
    const dns = await server({ '_mta-sts.contoso.test': { TXT: ['v=STSv1; id=20261130', ['v=STSv1; ', 'id=2'], 'x'.repeat(300)] } });
    const answer = await queryDns(context([at(dns)]), '_mta-sts.contoso.test', 'TXT');
    expect([answer.rcode, answer.authenticated, answer.answers.length]).toEqual(['NOERROR', false, 3]);
    expect(txtStrings(answer.answers)).toEqual(['v=STSv1; id=20261130', 'v=STSv1; id=2', 'x'.repeat(300)]);
    expect(dns.queries).toEqual([{ name: '_mta-sts.contoso.test', type: 'TXT' }]);
  });

  it('the AD bit of a validating resolver is authenticated: true', async () => {
    const dns = await server({ 'signed.test': { TXT: ['v=TLSRPTv1; rua=mailto:r@signed.test'], ad: true } });
    const answer = await queryDns(context([at(dns)]), 'signed.test', 'TXT');
    expect([answer.rcode, answer.authenticated, txtStrings(answer.answers)]).toEqual(['NOERROR', true, ['v=TLSRPTv1; rua=mailto:r@signed.test']]);
  });

  it.each(['NXDOMAIN', 'SERVFAIL', 'REFUSED'] as const)('an rcode is an answer, not an error: %s', async (rcode) => {
    const dns = await server({ 'bad.test': { TXT: rcode } });
    expect(await queryDns(context([at(dns)]), 'bad.test', 'TXT')).toEqual({ rcode, authenticated: false, answers: [] });
  });

  it.each([
    [1, 'FORMERR'],
    [4, 'NOTIMP'],
    [9, 'OTHER'],
    [0x8000 | 3, 'NXDOMAIN'],
  ] as const)('rcode bits %i read as %s', async (flags, rcode) => {
    const raw = await startByteDns((q, send) => send(encode(response(q, { flags }))));
    expect(await queryDns(context([at(raw)]), 'any.test', 'TXT')).toEqual({ rcode, authenticated: false, answers: [] });
  });

  it('records of another type (a CNAME) or another name are not answers; the name compares without case or root dot', async () => {
    const raw = await startByteDns((q, send) =>
      send(
        encode(
          response(q, {
            answers: [
              { type: 'CNAME', name: 'Mixed.Test', ttl: 60, class: 'IN', data: 'elsewhere.test' },
              TXT('other.test', 'not this one'),
              TXT('MIXED.test.', 'this one'),
            ],
          }),
        ),
      ),
    );
    const answer = await queryDns(context([at(raw)]), 'Mixed.Test', 'TXT');
    expect(txtStrings(answer.answers)).toEqual(['this one']);
    expect(answer.answers.map((a) => a.name)).toEqual(['MIXED.test']);
  });

  it('over UDP, a datagram that is not DNS, a response with another id and a query with the right id are ignored: the real answer is taken', async () => {
    const raw = await startByteDns((q, send) => {
      send(Buffer.from('not a DNS message'));
      send(encode(response(q, { id: ((q.id ?? 0) + 1) % 65536, answers: [TXT('q.test', 'wrong id')] })));
      send(encode(response(q, { type: 'query', answers: [TXT('q.test', 'a query')] })));
      setTimeout(() => send(encode(response(q, { answers: [TXT('q.test', 'the answer')] }))), 20);
    });
    expect(txtStrings((await queryDns(context([at(raw)]), 'q.test', 'TXT')).answers)).toEqual(['the answer']);
  });

  it('the query asks for recursion, the AD bit and DNSSEC (EDNS0 DO), class IN, each with a fresh random id', async () => {
    const seen: DecodedPacket[] = [];
    const raw = await startByteDns((q, send) => {
      seen.push(q);
      send(encode(response(q)));
    });
    for (let i = 0; i < 3; i++) await queryDns(context([at(raw)]), 'q.test', 'TLSA');
    const q = seen[0] as DecodedPacket;
    const opt = q.additionals?.[0] as unknown as { type: string; udpPayloadSize: number; flag_do: boolean };
    expect([q.type, q.flag_rd, q.flag_ad, q.questions, opt.type, opt.udpPayloadSize, opt.flag_do]).toEqual([
      'query',
      true,
      true,
      [{ type: 'TLSA', name: 'q.test', class: 'IN' }],
      'OPT',
      1232,
      true,
    ]);
    // three ids all the same: a chance of 1 in 2^32 with a random id
    expect(new Set(seen.map((p) => p.id)).size).toBeGreaterThan(1);
  });

  it('txtStrings reads TXT records only', () => {
    const a: Answer = { type: 'A', name: 'x.test', ttl: 60, class: 'IN', data: '127.0.0.1' };
    expect(txtStrings([a, TXT('x.test', 'text'), { type: 'TXT', name: 'x.test', ttl: 60, class: 'IN', data: 'plain string' }])).toEqual(['text', 'plain string']);
  });

  it('a probe already aborted asks no server', async () => {
    const dns = await server({ 'q.test': { TXT: ['x'] } });
    const aborted = new AbortController();
    aborted.abort();
    expect(await failure(queryDns(dnsContext([at(dns)], 3000, aborted.signal), 'q.test', 'TXT'))).toEqual({ name: 'QueryError', reason: 'unreachable', message: 'no DNS server to ask' });
    expect(dns.queries).toEqual([]);
  });

  it('over an IPv6 resolver', async () => {
    const dns = await server({ 'v6.test': { TXT: ['over udp6'] } }, '::1');
    expect(txtStrings((await queryDns(context([{ host: '::1', port: dns.port }]), 'v6.test', 'TXT')).answers)).toEqual(['over udp6']);
  });
});

describe('queryDns: truncated over UDP, asked again over TCP (RFC 7766)', () => {
  const truncated = (q: DecodedPacket, send: (b: Buffer) => void) => send(encode(response(q, { flags: dnsPacket.TRUNCATED_RESPONSE, answers: [TXT('big.test', 'udp part')] })));

  it('the TCP answer is the answer, its rcode and AD bit too; the length prefix may come in pieces', async () => {
    const raw = await startByteDns(truncated, (q, c) => {
      const bytes = stream(response(q, { flags: dnsPacket.AUTHENTIC_DATA | 3, answers: [TXT('big.test', 'whole'), TXT('big.test', 'answer')] }));
      c.write(bytes.subarray(0, 1));
      setTimeout(() => c.write(bytes.subarray(1, 5)), 20);
      setTimeout(() => c.end(bytes.subarray(5)), 40);
    });
    const answer = await queryDns(context([at(raw)]), 'big.test', 'TXT');
    expect([answer.rcode, answer.authenticated, txtStrings(answer.answers), raw.tcpQueries]).toEqual(['NXDOMAIN', true, ['whole', 'answer'], 1]);
  });

  it('an answer that is not truncated is not asked again', async () => {
    const raw = await startByteDns((q, send) => send(encode(response(q, { answers: [TXT('small.test', 'udp')] }))), () => {});
    expect(txtStrings((await queryDns(context([at(raw)]), 'small.test', 'TXT')).answers)).toEqual(['udp']);
    expect(raw.tcpQueries).toBe(0);
  });

  it.each([
    ['another id', (q: DecodedPacket, c: net.Socket) => c.end(stream(response(q, { id: ((q.id ?? 0) + 1) % 65536 }))), 'malformed', 'malformed answer from 127.0.0.1:PORT: id mismatch'],
    ['bytes that are not DNS', (_q: DecodedPacket, c: net.Socket) => c.end(Buffer.from([0, 3, 1, 2, 3])), 'malformed', /^malformed answer from 127\.0\.0\.1:PORT: ./],
    ['a close before the answer', (_q: DecodedPacket, c: net.Socket) => c.end(Buffer.from([0, 40, 1])), 'unreachable', '127.0.0.1:PORT over TCP: closed before the answer'],
    ['more than a DNS message can hold', (_q: DecodedPacket, c: net.Socket) => c.end(Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.alloc(65_600)])), 'unreachable', '127.0.0.1:PORT over TCP: oversized answer'],
  ] as const)('over TCP, %s: a QueryError', async (_what, tcp, reason, message) => {
    const raw = await startByteDns(truncated, tcp);
    const got = await failure(queryDns(context([at(raw)]), 'big.test', 'TXT'));
    const want = typeof message === 'string' ? message.replace('PORT', String(raw.port)) : expect.stringMatching(new RegExp(message.source.replace('PORT', String(raw.port))));
    expect(got).toEqual({ name: 'QueryError', reason, message: want });
  });

  it('over TCP, a length of 0: malformed', async () => {
    const raw = await startByteDns(truncated, (_q, c) => c.write(Buffer.from([0, 0])));
    const got = await failure(queryDns(context([at(raw)], 1000), 'big.test', 'TXT'));
    expect([got.name, got.reason, got.message.startsWith(`malformed answer from 127.0.0.1:${raw.port}: `)]).toEqual(['QueryError', 'malformed', true]);
  });

  it('over TCP, an answer of the largest size a DNS message can have (65 535 bytes) is read', async () => {
    const sent = { bytes: 0, text: 0 };
    const raw = await startByteDns(truncated, (q, c) => {
      const txt = (pieces: number[]): Answer => ({ type: 'TXT', name: 'big.test', ttl: 60, class: 'IN', data: pieces.map((n) => Buffer.alloc(n, 'x')) });
      const size = (answers: Answer[]) => encode(response(q, { answers })).length;
      // records of one 255-byte string while they fit, then one whose strings fill the message to 65 535 bytes
      const answers: Answer[] = [];
      while (size([...answers, txt([255])]) <= 65_535 - 21) answers.push(txt([255]));
      // then one more record, its last string grown or cut until the message is exactly that size
      const pieces = [255];
      for (let i = 0; i < 300 && size([...answers, txt(pieces)]) !== 65_535; i++) {
        const diff = 65_535 - size([...answers, txt(pieces)]);
        const last = (pieces.at(-1) as number) + diff;
        if (last > 255) pieces.splice(-1, 1, 255, Math.min(255, last - 256));
        else if (last < 0) pieces.pop();
        else pieces.splice(-1, 1, last);
      }
      answers.push(txt(pieces));
      const bytes = stream(response(q, { answers }));
      sent.bytes = bytes.length - 2;
      sent.text = answers.length;
      c.write(bytes);
    });
    const answer = await queryDns(context([at(raw)]), 'big.test', 'TXT');
    expect([sent.bytes, answer.answers.length]).toEqual([65_535, sent.text]);
  });

  it('no TCP listener on the resolver’s port: unreachable, and the next resolver is asked', async () => {
    const raw = await startByteDns(truncated);
    await expect(failure(queryDns(context([at(raw)]), 'big.test', 'TXT'))).resolves.toEqual({
      name: 'QueryError',
      reason: 'unreachable',
      message: `127.0.0.1:${raw.port} over TCP: ECONNREFUSED`,
    });
    const dns = await server({ 'big.test': { TXT: ['from the second'] } });
    expect(txtStrings((await queryDns(context([at(raw), at(dns)]), 'big.test', 'TXT')).answers)).toEqual(['from the second']);
  });

  it('a TCP server that never answers: timeout, naming TCP', async () => {
    const raw = await startByteDns(truncated, () => {});
    expect(await failure(queryDns(context([at(raw)], 300), 'big.test', 'TXT'))).toEqual({
      name: 'QueryError',
      reason: 'timeout',
      message: `no answer from 127.0.0.1:${raw.port} over TCP`,
    });
  });
});

describe('queryDns: no answer', () => {
  it('a resolver port outside 1–65535 (which option parsing refuses): dgram throws before sending, the resolver is unreachable, and the next one is asked', async () => {
    expect(await failure(queryDns(context([{ host: '127.0.0.1', port: 0 }]), 'bad.test', 'TXT'))).toEqual({
      name: 'QueryError',
      reason: 'unreachable',
      message: '127.0.0.1:0: ERR_SOCKET_BAD_PORT',
    });
    const dns = await server({ 'bad.test': { TXT: ['from the second'] } });
    expect(txtStrings((await queryDns(context([{ host: '127.0.0.1', port: 0 }, at(dns)]), 'bad.test', 'TXT')).answers)).toEqual(['from the second']);
  });

  it('a resolver that never answers: timeout within the stage timeout, and no later resolver is asked once the window closed', async () => {
    const silent = await server({ 'slow.test': 'TIMEOUT' });
    const second = await server({ 'slow.test': { TXT: ['late'] } });
    const t0 = performance.now();
    expect(await failure(queryDns(context([at(silent), at(second)], 300), 'slow.test', 'TXT'))).toEqual({
      name: 'QueryError',
      reason: 'timeout',
      message: `no answer from 127.0.0.1:${silent.port}`,
    });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect([silent.queries.length, second.queries.length]).toEqual([1, 0]);
  });
});

describe('serverAddress: node:dns getServers() entries', () => {
  it.each([
    ['127.0.0.1', { host: '127.0.0.1', port: 53 }],
    ['127.0.0.1:5353', { host: '127.0.0.1', port: 5353 }],
    ['::1', { host: '::1', port: 53 }],
    ['::1:53', { host: '::1:53', port: 53 }],
    ['[::1]:5353', { host: '::1', port: 5353 }],
  ])('%s', (entry, address) => {
    expect(serverAddress(entry)).toEqual(address);
  });
});
