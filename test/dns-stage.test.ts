/**
 * The DNS stage (probes/dns.ts) on its own, against the loopback DNS server: the route a
 * target takes (MX, its own A/AAAA, an IP literal), the order of the hosts, and every
 * failure as a whole fact (stage, kind, message, errno). Written for mutation testing
 * (issue 20): the probe's tests reach this stage only through the whole engine.
 */
import dnsPacket, { type DecodedPacket } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { resolveTarget, type Resolution } from '../probes/dns.js';
import type { ResolverAddress } from '../probes/stage.js';
import { startByteDns } from './fixtures/byte-dns.js';
import { dnsContext, dnsServer } from './fixtures/dns-context.js';
import { closedPort, GRACE_MS, timeWithLag, type Zone } from './fixtures/index.js';
import { spoken } from './fixtures/spoken.js';

const context = dnsContext;
const server = dnsServer;

/** Resolves with a server of `zone`; the result without its time, which is checked apart. */
async function resolve(zone: Zone, target: string, mx = true, stageTimeoutMs?: number) {
  const dns = await server(zone);
  const t0 = performance.now();
  const result = await resolveTarget(context([{ host: dns.host, port: dns.port }], stageTimeoutMs), target, { mx });
  const elapsed = performance.now() - t0;
  expect(result.ms).toBeGreaterThan(0);
  expect(result.ms).toBeLessThanOrEqual(elapsed);
  return { dns, result: withoutMs(result) };
}

function withoutMs(r: Resolution) {
  const { ms: _ms, failure, hosts, ...rest } = r;
  return {
    ...rest,
    hosts: hosts.map((h) => (h.failure ? { ...h, failure: spoken(h.failure.toJSON()) } : h)),
    ...(failure ? { failure: spoken(failure.toJSON()) } : {}),
  };
}

const A = (...ips: string[]) => ips.map((ip) => ({ ip, family: 4 as const }));

describe('resolveTarget: the route', () => {
  it.each([
    ['127.0.0.1', 4],
    ['::1', 6],
  ] as const)('an IP literal (%s) needs no DNS: one host, route ip, no time', async (ip, family) => {
    const dns = await server({});
    const result = await resolveTarget(context([{ host: dns.host, port: dns.port }]), ip, { mx: true });
    expect(result).toEqual({ target: ip, route: 'ip', hosts: [{ host: ip, preference: null, addresses: [{ ip, family }] }], ms: 0 });
    expect(dns.queries).toEqual([]);
  });

  it('MX hosts in preference order, equal preferences in the resolver order, names lowered and without the root dot; A before AAAA', async () => {
    const { result, dns } = await resolve(
      {
        'contoso.test': {
          MX: [
            { preference: 20, exchange: 'B.Contoso.test.' },
            { preference: 10, exchange: 'a.contoso.test' },
            { preference: 20, exchange: 'c.contoso.test' },
          ],
        },
        'a.contoso.test': { A: ['127.0.0.3'], AAAA: ['::1'] },
        'b.contoso.test': { A: ['127.0.0.2', '127.0.0.4'] },
        'c.contoso.test': { AAAA: ['::1'] },
      },
      'contoso.test',
    );
    expect(result).toEqual({
      target: 'contoso.test',
      route: 'mx',
      hosts: [
        { host: 'a.contoso.test', preference: 10, addresses: [{ ip: '127.0.0.3', family: 4 }, { ip: '::1', family: 6 }] },
        { host: 'b.contoso.test', preference: 20, addresses: A('127.0.0.2', '127.0.0.4') },
        { host: 'c.contoso.test', preference: 20, addresses: [{ ip: '::1', family: 6 }] },
      ],
    });
    expect(dns.queries[0]).toEqual({ name: 'contoso.test', type: 'MX' });
  });

  it('an MX host given as an IP literal is taken as it is', async () => {
    const { result } = await resolve({ 'contoso.test': { MX: [{ preference: 5, exchange: '127.0.0.9' }] } }, 'contoso.test');
    expect(result).toEqual({ target: 'contoso.test', route: 'mx', hosts: [{ host: '127.0.0.9', preference: 5, addresses: A('127.0.0.9') }] });
  });

  it('no MX record (NODATA): the name’s own addresses, route address', async () => {
    const { result, dns } = await resolve({ 'smarthost.test': { A: ['127.0.0.5'] } }, 'smarthost.test');
    expect(result).toEqual({ target: 'smarthost.test', route: 'address', hosts: [{ host: 'smarthost.test', preference: null, addresses: A('127.0.0.5') }] });
    expect(dns.queries.map((q) => q.type).sort()).toEqual(['A', 'AAAA', 'MX']);
  });

  it('mx: false asks no MX even when there is one', async () => {
    const { result, dns } = await resolve(
      { 'smarthost.test': { A: ['127.0.0.5'], MX: [{ preference: 10, exchange: 'other.test' }] }, 'other.test': { A: ['127.0.0.6'] } },
      'smarthost.test',
      false,
    );
    expect(result).toEqual({ target: 'smarthost.test', route: 'address', hosts: [{ host: 'smarthost.test', preference: null, addresses: A('127.0.0.5') }] });
    expect(dns.queries.map((q) => q.type).sort()).toEqual(['A', 'AAAA']);
  });

  it('a null MX (RFC 7505) is dns-null-mx for the whole domain', async () => {
    const { result } = await resolve({ 'nomail.test': { MX: [{ preference: 0, exchange: '.' }], A: ['127.0.0.5'] } }, 'nomail.test');
    expect(result).toEqual({
      target: 'nomail.test',
      route: 'mx',
      hosts: [],
      failure: { stage: 'dns', kind: 'dns-null-mx', message: 'domain nomail.test publishes a null MX (RFC 7505): it accepts no mail' },
    });
  });

  it('a null MX beside a real one is left out, the real one kept', async () => {
    const { result } = await resolve(
      { 'mixed.test': { MX: [{ preference: 0, exchange: '.' }, { preference: 10, exchange: 'mx.mixed.test' }] }, 'mx.mixed.test': { A: ['127.0.0.7'] } },
      'mixed.test',
    );
    expect(result).toEqual({ target: 'mixed.test', route: 'mx', hosts: [{ host: 'mx.mixed.test', preference: 10, addresses: A('127.0.0.7') }] });
  });
});

describe('resolveTarget: failures, as whole facts', () => {
  it.each([
    ['NXDOMAIN', 'dns-nxdomain', 'ENOTFOUND', 'domain gone.test does not exist (NXDOMAIN)'],
    ['SERVFAIL', 'dns-servfail', 'ESERVFAIL', 'domain gone.test could not be resolved: the DNS server answered SERVFAIL'],
    ['REFUSED', 'dns-refused', 'EREFUSED', 'domain gone.test could not be resolved: the DNS server refused the query'],
  ] as const)('the domain’s MX answered %s: %s for the whole target', async (rcode, kind, errno, message) => {
    const zone: Zone = rcode === 'NXDOMAIN' ? {} : { 'gone.test': { MX: rcode, A: ['127.0.0.5'] } };
    const dns = await server(zone);
    const raw = await resolveTarget(context([{ host: dns.host, port: dns.port }]), 'gone.test', { mx: true });
    expect(withoutMs(raw)).toEqual({ target: 'gone.test', route: 'mx', hosts: [], failure: { stage: 'dns', kind, message, errno } });
    // node:dns's error is kept as the cause
    expect((raw.failure?.cause as NodeJS.ErrnoException).code).toBe(errno);
  });

  it.each([
    ['rcode FORMERR', (q: DecodedPacket) => dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: 1, questions: q.questions ?? [], answers: [] }), 'EFORMERR', 'domain gone.test could not be resolved: the DNS server could not parse the query'],
    ['rcode NOTIMP', (q: DecodedPacket) => dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: 4, questions: q.questions ?? [], answers: [] }), 'ENOTIMP', 'domain gone.test could not be resolved: the DNS server does not implement the query'],
    [
      'an answer cut short',
      (q: DecodedPacket) => {
        const whole = dnsPacket.encode({ type: 'response', id: q.id ?? 0, questions: q.questions ?? [], answers: [{ type: 'MX', name: 'gone.test', data: { preference: 1, exchange: 'mx.gone.test' } }] });
        return whole.subarray(0, whole.length - 3);
      },
      'EBADRESP',
      'domain gone.test could not be resolved: the DNS server sent a malformed answer',
    ],
  ] as const)('the server answers with %s: dns-error naming it', async (_what, answer, errno, message) => {
    const raw = await startByteDns((q, send) => send(answer(q)));
    const result = await resolveTarget(context([{ host: raw.host, port: raw.port }]), 'gone.test', { mx: true });
    expect(withoutMs(result)).toEqual({ target: 'gone.test', route: 'mx', hosts: [], failure: { stage: 'dns', kind: 'dns-error', message, errno } });
  });

  it('the name’s own A/AAAA fail (mx: false): route address, the host’s failure for the target', async () => {
    const { result } = await resolve({}, 'gone.test', false);
    expect(result).toEqual({
      target: 'gone.test',
      route: 'address',
      hosts: [],
      failure: { stage: 'dns', kind: 'dns-nxdomain', message: 'host gone.test does not exist (NXDOMAIN)', errno: 'ENOTFOUND' },
    });
  });

  it('a name with no A and no AAAA record is dns-no-address', async () => {
    const { result } = await resolve({ 'empty.test': { TXT: ['v=spf1 -all'] } }, 'empty.test', false);
    expect(result).toEqual({
      target: 'empty.test',
      route: 'address',
      hosts: [],
      failure: { stage: 'dns', kind: 'dns-no-address', message: 'host empty.test has no A or AAAA record' },
    });
  });

  it.each([
    ['A SERVFAIL, AAAA absent: the SERVFAIL', { A: 'SERVFAIL' }, 'dns-servfail', 'ESERVFAIL', 'host mx.bad.test could not be resolved: the DNS server answered SERVFAIL'],
    ['A REFUSED, AAAA SERVFAIL: SERVFAIL, the more telling', { A: 'REFUSED', AAAA: 'SERVFAIL' }, 'dns-servfail', 'ESERVFAIL', 'host mx.bad.test could not be resolved: the DNS server answered SERVFAIL'],
    ['A SERVFAIL, AAAA REFUSED: SERVFAIL', { A: 'SERVFAIL', AAAA: 'REFUSED' }, 'dns-servfail', 'ESERVFAIL', 'host mx.bad.test could not be resolved: the DNS server answered SERVFAIL'],
    ['A absent, AAAA REFUSED: the REFUSED', { AAAA: 'REFUSED' }, 'dns-refused', 'EREFUSED', 'host mx.bad.test could not be resolved: the DNS server refused the query'],
    ['A NXDOMAIN, AAAA SERVFAIL: NXDOMAIN, the most telling', { A: 'NXDOMAIN', AAAA: 'SERVFAIL' }, 'dns-nxdomain', 'ENOTFOUND', 'host mx.bad.test does not exist (NXDOMAIN)'],
  ] as const)('an MX host whose lookups fail keeps its failure, the other hosts theirs: %s', async (_what, entry, kind, errno, message) => {
    const { result } = await resolve(
      {
        'bad.test': { MX: [{ preference: 10, exchange: 'mx.bad.test' }, { preference: 20, exchange: 'gone.bad.test' }, { preference: 30, exchange: 'ok.bad.test' }] },
        'mx.bad.test': entry,
        'ok.bad.test': { A: ['127.0.0.8'] },
      },
      'bad.test',
    );
    expect(result).toEqual({
      target: 'bad.test',
      route: 'mx',
      hosts: [
        { host: 'mx.bad.test', preference: 10, addresses: [], failure: { stage: 'dns', kind, message, errno } },
        {
          host: 'gone.bad.test',
          preference: 20,
          addresses: [],
          failure: { stage: 'dns', kind: 'dns-nxdomain', message: 'host gone.bad.test does not exist (NXDOMAIN)', errno: 'ENOTFOUND' },
        },
        { host: 'ok.bad.test', preference: 30, addresses: A('127.0.0.8') },
      ],
    });
  });

  it('a host with one family answered and the other failed keeps the answered addresses', async () => {
    const { result } = await resolve({ 'half.test': { A: ['127.0.0.5'], AAAA: 'SERVFAIL' } }, 'half.test', false);
    expect(result).toEqual({ target: 'half.test', route: 'address', hosts: [{ host: 'half.test', preference: null, addresses: A('127.0.0.5') }] });
  });

  // The order of the two failures of one host (SEVERITY), for the kinds a loopback server makes
  // at once: a timeout-kind failure without waiting comes from a truncated UDP answer whose TCP
  // retry is refused (ECONNREFUSED, "not reachable"); a dns-error from a FORMERR.
  it.each([
    ['A SERVFAIL, AAAA FORMERR: SERVFAIL before the dns-error', 2, 1, 'dns-servfail', 'ESERVFAIL', 'host two.test could not be resolved: the DNS server answered SERVFAIL'],
    ['A FORMERR, AAAA SERVFAIL: SERVFAIL before the dns-error', 1, 2, 'dns-servfail', 'ESERVFAIL', 'host two.test could not be resolved: the DNS server answered SERVFAIL'],
    ['A REFUSED, AAAA truncated and TCP refused: REFUSED before the unreachable server', 5, 'TC', 'dns-refused', 'EREFUSED', 'host two.test could not be resolved: the DNS server refused the query'],
    ['A truncated and TCP refused, AAAA FORMERR: the unreachable server before the dns-error', 'TC', 1, 'dns-timeout', 'ECONNREFUSED', 'host two.test could not be resolved: the DNS server is not reachable'],
  ] as const)('both families failed, each its own way: %s', async (_what, a, aaaa, kind, errno, message) => {
    const answer = (q: DecodedPacket, how: number | 'TC') =>
      dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: how === 'TC' ? dnsPacket.TRUNCATED_RESPONSE : how, questions: q.questions ?? [], answers: [] });
    const raw = await startByteDns((q, send) => send(answer(q, q.questions?.[0]?.type === 'AAAA' ? aaaa : a)));
    const result = await resolveTarget(context([{ host: raw.host, port: raw.port }]), 'two.test', { mx: false });
    expect(withoutMs(result)).toEqual({ target: 'two.test', route: 'address', hosts: [], failure: { stage: 'dns', kind, message, errno } });
  });

  it('no DNS server on the port (ICMP port unreachable): dns-timeout, "not reachable", at once', async () => {
    const port = await closedPort();
    const t0 = performance.now();
    const result = await resolveTarget(context([{ host: '127.0.0.1', port }]), 'contoso.test', { mx: true });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(withoutMs(result)).toEqual({
      target: 'contoso.test',
      route: 'mx',
      hosts: [],
      failure: { stage: 'dns', kind: 'dns-timeout', message: 'domain contoso.test could not be resolved: the DNS server is not reachable', errno: 'ECONNREFUSED' },
    });
  });

  it('a server that never answers, within a short stage timeout: the window closes it, dns-timeout naming the wait', async () => {
    const { result } = await resolve({ 'slow.test': 'TIMEOUT' }, 'slow.test', true, 400);
    expect(result).toEqual({
      target: 'slow.test',
      route: 'mx',
      hosts: [],
      failure: { stage: 'dns', kind: 'dns-timeout', message: 'no DNS answer for domain slow.test within 400 ms', timeoutMs: 400 },
    });
  });

  it('the same on the A/AAAA lookups of an MX host', async () => {
    const { result } = await resolve({ 'slow.test': { MX: [{ preference: 10, exchange: 'mx.slow.test' }] }, 'mx.slow.test': 'TIMEOUT' }, 'slow.test', true, 400);
    expect(result).toEqual({
      target: 'slow.test',
      route: 'mx',
      hosts: [
        {
          host: 'mx.slow.test',
          preference: 10,
          addresses: [],
          failure: { stage: 'dns', kind: 'dns-timeout', message: 'no DNS answer for host mx.slow.test within 400 ms', timeoutMs: 400 },
        },
      ],
    });
  });

  it('the window’s close cancels the lookups at once (c-ares alone would try again for longer)', async () => {
    const dns = await server({ 'slow.test': 'TIMEOUT' });
    const { value, ms, lagMs } = await timeWithLag(() => resolveTarget(context([{ host: dns.host, port: dns.port }], 300), 'slow.test', { mx: true }));
    expect(value.failure?.kind).toBe('dns-timeout');
    expect(ms).toBeLessThan(300 + GRACE_MS + lagMs);
  });

  it('a server that never answers, with a stage timeout above c-ares’ own (2 tries of 2 s): c-ares gives up first, "did not answer"', async () => {
    const t0 = performance.now();
    const { result } = await resolve({ 'slow.test': 'TIMEOUT' }, 'slow.test', true, 9000);
    // c-ares waits 2 s, then 4 s (it doubles the wait on its second try): never less than 4 s
    expect(performance.now() - t0).toBeGreaterThan(4000);
    expect(result).toEqual({
      target: 'slow.test',
      route: 'mx',
      hosts: [],
      failure: { stage: 'dns', kind: 'dns-timeout', message: 'domain slow.test could not be resolved: the DNS server did not answer', errno: 'ETIMEOUT' },
    });
  }, 15_000);

  it('a cancelled probe is cancelled, not a timeout', async () => {
    const dns = await server({ 'slow.test': 'TIMEOUT' });
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 100);
    const result = await resolveTarget(context([{ host: dns.host, port: dns.port }], 3000, cancel.signal), 'slow.test', { mx: true });
    expect(withoutMs(result)).toEqual({ target: 'slow.test', route: 'mx', hosts: [], failure: { stage: 'dns', kind: 'cancelled', message: 'cancelled by the user' } });
  });

  it('an IPv6 resolver ([::1]:port)', async () => {
    const dns = await server({ 'v6.test': { A: ['127.0.0.5'] } }, '::1');
    const result = await resolveTarget(context([{ host: '::1', port: dns.port }]), 'v6.test', { mx: false });
    expect(withoutMs(result)).toEqual({ target: 'v6.test', route: 'address', hosts: [{ host: 'v6.test', preference: null, addresses: A('127.0.0.5') }] });
  });
});
