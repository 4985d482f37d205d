import { promises as dns } from 'node:dns';
import net from 'node:net';
import { openWindow, windowFailure, type StageWindow } from './deadline.js';
import { say, type ProbeTextId } from './messages.js';
import { StageFailure, type FailureKind, type ProbeContext } from './stage.js';

export interface Address {
  ip: string;
  family: 4 | 6;
}

/** One host a target resolved to (an MX exchange, or the target itself), with its addresses. */
export interface ResolvedHost {
  host: string;
  /** The MX preference, for hosts found through MX; null otherwise. */
  preference: number | null;
  addresses: Address[];
  /** Set when this host's addresses could not be resolved. */
  failure?: StageFailure;
}

export type Route = 'mx' | 'address' | 'ip';

export interface Resolution {
  target: string;
  /** How the target resolved: through its MX records, its own A/AAAA records, or as an IP literal. */
  route: Route;
  /** In Exchange Online's order: lowest MX preference first, then the resolver's address order. */
  hosts: ResolvedHost[];
  /** Set when the target as a whole could not be resolved (no hosts then). */
  failure?: StageFailure;
  ms: number;
}

/** c-ares error codes, translated once, here. */
const DNS_ERRORS: Record<string, { kind: FailureKind; text: ProbeTextId }> = {
  ENOTFOUND: { kind: 'dns-nxdomain', text: 'dns.nxdomain' },
  ESERVFAIL: { kind: 'dns-servfail', text: 'dns.servfail' },
  EREFUSED: { kind: 'dns-refused', text: 'dns.refused' },
  ETIMEOUT: { kind: 'dns-timeout', text: 'dns.no-reply' },
  ECONNREFUSED: { kind: 'dns-timeout', text: 'dns.unreachable' },
  EBADRESP: { kind: 'dns-error', text: 'dns.malformed' },
  EFORMERR: { kind: 'dns-error', text: 'dns.formerr' },
  ENOTIMP: { kind: 'dns-error', text: 'dns.notimp' },
};

/** Which failure to report when both A and AAAA failed: the more telling one. */
const SEVERITY: FailureKind[] = ['dns-nxdomain', 'dns-servfail', 'dns-refused', 'dns-timeout', 'dns-error', 'dns-no-address'];

function translate(ctx: ProbeContext, window: StageWindow, name: string, which: 'host' | 'domain', err: unknown): StageFailure {
  const errno = (err as NodeJS.ErrnoException)?.code;
  const what = say(which === 'host' ? 'dns.host' : 'dns.domain');
  if (errno === 'ECANCELLED' || window.closed) {
    return windowFailure(ctx, 'dns', window, say('dns.no-answer', { what, name }), 'dns-timeout');
  }
  const known = errno ? DNS_ERRORS[errno] : undefined;
  return new StageFailure(
    'dns',
    known?.kind ?? 'dns-error',
    known ? say(known.text, { what, name }) : say('dns.error', { what, name, error: errno ?? String(err) }),
    errno ? { errno } : {},
    { cause: err },
  );
}

function makeResolver(ctx: ProbeContext, window: StageWindow): dns.Resolver {
  // c-ares retries on its own; the window (stage timeout or deadline) cancels it all.
  // c-ares wants a whole number of ms: a window cut by the deadline is fractional.
  const resolver = new dns.Resolver({ timeout: Math.max(50, Math.floor(Math.min(2000, window.timeoutMs))), tries: 2 });
  if (ctx.resolvers.length) {
    resolver.setServers(ctx.resolvers.map((r) => (r.host.includes(':') ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`)));
  }
  return resolver;
}

async function resolveAddresses(
  ctx: ProbeContext,
  window: StageWindow,
  resolver: dns.Resolver,
  host: string,
  preference: number | null,
): Promise<ResolvedHost> {
  const family = net.isIP(host);
  if (family) return { host, preference, addresses: [{ ip: host, family: family as 4 | 6 }] };
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
  const addresses: Address[] = [
    ...(v4.status === 'fulfilled' ? v4.value.map((ip) => ({ ip, family: 4 as const })) : []),
    ...(v6.status === 'fulfilled' ? v6.value.map((ip) => ({ ip, family: 6 as const })) : []),
  ];
  if (addresses.length) return { host, preference, addresses };
  const errors = [v4, v6]
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .filter((r) => (r.reason as NodeJS.ErrnoException)?.code !== 'ENODATA')
    .map((r) => translate(ctx, window, host, 'host', r.reason));
  errors.sort((a, b) => SEVERITY.indexOf(a.kind) - SEVERITY.indexOf(b.kind));
  const failure =
    errors[0] ??
    new StageFailure('dns', 'dns-no-address', say('dns.no-address', { host }));
  return { host, preference, addresses: [], failure };
}

/**
 * DNS stage, as Exchange Online resolves a smart host: MX first (in preference order),
 * falling back to the name's own A/AAAA records when it has no MX; `mx: false` goes
 * straight to A/AAAA; an IP literal needs no DNS at all. Never throws for a DNS outcome:
 * failures are in the result, for the whole target or per MX host.
 */
export async function resolveTarget(ctx: ProbeContext, target: string, options: { mx: boolean }): Promise<Resolution> {
  const started = performance.now();
  const family = net.isIP(target);
  if (family) {
    return { target, route: 'ip', hosts: [{ host: target, preference: null, addresses: [{ ip: target, family: family as 4 | 6 }] }], ms: 0 };
  }
  const window = openWindow(ctx);
  const resolver = makeResolver(ctx, window);
  // Disposing of the window (below) forgets this.
  window.onClose(() => resolver.cancel());
  const done = (r: Omit<Resolution, 'target' | 'ms'>): Resolution => ({ target, ...r, ms: performance.now() - started });
  try {
    if (options.mx) {
      let records: { exchange: string; priority: number }[] | null = null;
      try {
        records = await resolver.resolveMx(target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException)?.code !== 'ENODATA') {
          return done({ route: 'mx', hosts: [], failure: translate(ctx, window, target, 'domain', err) });
        }
      }
      if (records?.length) {
        // RFC 7505: a single MX of "." (node:dns gives an empty exchange) says the
        // domain accepts no mail at all.
        const isNull = (r: { exchange: string }): boolean => r.exchange === '' || r.exchange === '.';
        if (records.every(isNull)) {
          return done({
            route: 'mx',
            hosts: [],
            failure: new StageFailure('dns', 'dns-null-mx', say('dns.null-mx', { domain: target })),
          });
        }
        // Stable sort keeps the resolver's order among equal preferences.
        const sorted = records.filter((r) => !isNull(r)).sort((a, b) => a.priority - b.priority);
        const hosts = await Promise.all(
          sorted.map((r) => resolveAddresses(ctx, window, resolver, r.exchange.replace(/\.$/, '').toLowerCase(), r.priority)),
        );
        return done({ route: 'mx', hosts });
      }
    }
    const host = await resolveAddresses(ctx, window, resolver, target, null);
    return host.failure
      ? done({ route: 'address', hosts: [], failure: host.failure })
      : done({ route: 'address', hosts: [host] });
  } finally {
    window.dispose();
  }
}
