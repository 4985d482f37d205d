/**
 * DNS queries that node:dns cannot make: TLSA records (RFC 6698), and any answer's AD
 * bit (RFC 4035 §3.2.3, "authenticated data"), which is how a validating resolver says
 * the records passed DNSSEC. Messages are built and read with dns-packet and sent to the
 * probe's resolvers over UDP, retried over TCP when the answer is truncated (RFC 7766).
 */
import dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import net from 'node:net';
import type { Answer, DecodedPacket, RecordType } from 'dns-packet';
import { openWindow } from '../deadline.js';
import { dnsPacketLib } from './libs.js';
import type { ProbeContext, ResolverAddress } from '../stage.js';

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED' | 'OTHER';

export interface QueryAnswer {
  rcode: Rcode;
  /** The AD bit: the resolver validated the answer with DNSSEC. */
  authenticated: boolean;
  answers: Answer[];
}

/** A query that got no usable answer in time. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    message: string,
    readonly reason: 'timeout' | 'unreachable' | 'malformed',
  ) {
    super(message);
  }
}

const RCODES: Rcode[] = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** The resolvers to ask: the probe's, else the system's (node:dns reads /etc/resolv.conf). */
function servers(ctx: ProbeContext): ResolverAddress[] {
  if (ctx.resolvers.length) return ctx.resolvers;
  return new dns.Resolver().getServers().map(serverAddress);
}

/**
 * One entry of node:dns `getServers()`: `127.0.0.1`, `127.0.0.1:5353`, `::1` or `[::1]:5353`
 * (the port is written only when it is not 53).
 */
export function serverAddress(s: string): ResolverAddress {
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  return m ? { host: m[1] as string, port: Number(m[2]) } : { host: s, port: 53 };
}

function buildQuery(name: string, type: RecordType): { id: number; message: Buffer } {
  const id = Math.floor(Math.random() * 65536);
  // RD asks for recursion; AD in a query asks a validating resolver to report the AD bit
  // (RFC 6840 §5.7); the EDNS0 DO bit asks for DNSSEC processing (RFC 3225).
  const message = dnsPacketLib().encode({
    type: 'query',
    id,
    flags: dnsPacketLib().RECURSION_DESIRED | dnsPacketLib().AUTHENTIC_DATA,
    questions: [{ type, name, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: dnsPacketLib().DNSSEC_OK, flag_do: true, options: [] } as unknown as Answer],
  });
  return { id, message };
}

function overUdp(server: ResolverAddress, id: number, message: Buffer, signal: AbortSignal): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const done = (fn: () => void): void => {
      signal.removeEventListener('abort', onAbort);
      socket.close();
      fn();
    };
    const onAbort = (): void => done(() => reject(new QueryError(`no answer from ${server.host}:${server.port}`, 'timeout')));
    signal.addEventListener('abort', onAbort, { once: true });
    const unreachable = (err: Error): void => done(() => reject(new QueryError(`${server.host}:${server.port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, 'unreachable')));
    socket.on('error', unreachable);
    socket.on('message', (data) => {
      let packet: DecodedPacket;
      try {
        packet = dnsPacketLib().decode(data);
      } catch {
        return; // not a DNS message: keep waiting for the real answer
      }
      if (packet.id !== id || packet.type !== 'response') return; // RFC 5452 §9.1: match the id
      done(() => resolve(packet));
    });
    // A port outside 1–65535 throws here, before anything is sent: the socket is closed all the same.
    try {
      socket.send(message, server.port, server.host);
    } catch (err) {
      unreachable(err as Error);
    }
  });
}

function overTcp(server: ResolverAddress, id: number, message: Buffer, signal: AbortSignal): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: server.host, port: server.port, signal });
    let buffer = Buffer.alloc(0);
    const fail = (err: Error): void => {
      socket.destroy();
      reject(signal.aborted ? new QueryError(`no answer from ${server.host}:${server.port} over TCP`, 'timeout') : new QueryError(`${server.host}:${server.port} over TCP: ${(err as NodeJS.ErrnoException).code ?? err.message}`, 'unreachable'));
    };
    socket.on('error', fail);
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > 65_537) return fail(new Error('oversized answer'));
      if (buffer.length < 2 || buffer.length < 2 + buffer.readUInt16BE(0)) return;
      socket.destroy();
      try {
        const packet = dnsPacketLib().decode(buffer.subarray(2, 2 + buffer.readUInt16BE(0)));
        if (packet.id !== id) throw new Error('id mismatch');
        resolve(packet);
      } catch (err) {
        reject(new QueryError(`malformed answer from ${server.host}:${server.port}: ${(err as Error).message}`, 'malformed'));
      }
    });
    socket.on('end', () => fail(new Error('closed before the answer')));
  });
}

/**
 * Asks the probe's resolvers (in order, until one answers) for `name`/`type`. Waits at
 * most the stage timeout, bounded by the probe's deadline. Throws a QueryError when no
 * resolver answered; an rcode such as SERVFAIL is an answer, not an error.
 */
export async function queryDns(ctx: ProbeContext, name: string, type: RecordType): Promise<QueryAnswer> {
  const window = openWindow(ctx);
  try {
    let last: unknown = new QueryError('no DNS server to ask', 'unreachable');
    for (const server of servers(ctx)) {
      if (window.signal.aborted) break;
      const { id, message } = buildQuery(name, type);
      try {
        let packet = await overUdp(server, id, message, window.signal);
        if (packet.flag_tc) packet = await overTcp(server, id, message, window.signal);
        const rcode = RCODES[(packet.flags ?? 0) & 0xf] ?? 'OTHER';
        const answers = (packet.answers ?? []).filter((a) => a.type === type && a.name.toLowerCase().replace(/\.$/, '') === name.toLowerCase());
        return { rcode, authenticated: packet.flag_ad, answers };
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof QueryError ? last : new QueryError(`no answer for ${name} ${type}`, 'timeout');
  } finally {
    window.dispose();
  }
}

/** TXT answers as strings, each record's character-strings joined (RFC 7208 §3.3). */
export function txtStrings(answers: Answer[]): string[] {
  return answers
    .filter((a): a is Extract<Answer, { type: 'TXT' }> => a.type === 'TXT')
    .map((a) => ([] as Array<string | Buffer>).concat(a.data as string | Buffer | Array<string | Buffer>).map((part) => part.toString()).join(''));
}
