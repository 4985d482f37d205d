/**
 * `probe serve`: a Prometheus exporter in blackbox_exporter's multi-target pattern.
 * `GET /probe?target=NAME` probes that configured target and answers in the exposition
 * format; `/metrics` is the exporter's own; `/` is a status page.
 *
 * Safe by default: it listens on loopback; it probes only the targets it was given
 * (an arbitrary `?target=` needs `allowAnyTarget`, and even then no special-purpose
 * address unless `allowPrivate`); an optional bearer token; at most `maxConcurrent`
 * probes at once (503 beyond); every request bounded in time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { probe } from '../core/engine.js';
import { parseTarget, UsageError, type ProbeOptions } from '../core/options.js';
import type { ProbeResult } from '../core/result.js';
import type { NamedTarget } from '../fleet/targets.js';
import { forbiddenAddress } from './address-policy.js';
import { historyPoint, MemoryHistory, type HistorySource } from './history.js';
import { registerBuildInfo, registerRevocationCacheMetrics, renderProbeMetrics } from './metrics.js';
import { renderStatusPage, renderTargetDetail } from './status-page.js';
import { commandWords } from '../catalog/commands.js';
import { catalogFor, type Language } from '../catalog/index.js';

export interface ExporterOptions {
  /** The configured targets, by name: from `--targets FILE` (or the checks' config file). */
  targets: readonly NamedTarget[];
  /** Options for an arbitrary `?target=host` (with allowAnyTarget): resolvers, CA, TLS mode … */
  defaults?: ProbeOptions;
  /** Listen address, default 127.0.0.1. */
  host?: string;
  /** Listen port, default 9125 (0 for an ephemeral one). */
  port?: number;
  /** Probe any `?target=` host, not only configured names. */
  allowAnyTarget?: boolean;
  /** With allowAnyTarget: also loopback, private, link-local and other special ranges. */
  allowPrivate?: boolean;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string | null;
  /** Probes at once; a request beyond gets 503 (default 32). */
  maxConcurrent?: number;
  /** The most a request may take, in ms; a probe's deadline is cut to fit (default 30 000). */
  requestTimeoutMs?: number;
  /** The most a client may take to send its request headers, in ms (default 10 000): then 408. */
  headersTimeoutMs?: number;
  /**
   * Open connections at most (default 256). At the cap a new connection takes the place of
   * the one idle longest (no request in progress); when every one is busy it gets 503.
   */
  maxConnections?: number;
  /** Where the status page reads history; default: the exporter's own results, in memory. */
  history?: HistorySource;
  /** Said on the status page: where the history comes from. */
  historyLabel?: string;
  /** The status page's language (default English); /metrics is the same in every language. */
  language?: Language;
  /**
   * Called with each configured target's result as /probe answers it (for an embedding
   * program, and the tests). The exporter itself keeps no result, only history points: a
   * result per target of a large fleet, held between scrapes, is memory nobody reads.
   */
  onResult?: (name: string, result: ProbeResult) => void;
}

export interface Exporter {
  /** `http://host:port` */
  url: string;
  host: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

export const EXPORTER_DEFAULTS = { host: '127.0.0.1', port: 9125, maxConcurrent: 32, requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, maxConnections: 256 };

/** How long an idle keep-alive connection stays open. */
const KEEP_ALIVE_MS = 5000;

/** Prometheus tells the exporter its scrape timeout; leave half a second to answer. */
const SCRAPE_TIMEOUT_HEADER = 'x-prometheus-scrape-timeout-seconds';
const ANSWER_MARGIN_MS = 500;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Starts the exporter and resolves once it listens.
 *
 * @example
 * ```ts
 * const targets = loadTargetsFile('/etc/mailflow-probe/connectors.txt');
 * const exporter = await startExporter({ targets, token: process.env.PROBE_EXPORTER_TOKEN });
 * // Prometheus scrapes http://127.0.0.1:9125/probe?target=contoso
 * ```
 */
export async function startExporter(opts: ExporterOptions): Promise<Exporter> {
  const byName = new Map(opts.targets.map((t) => [t.name, t]));
  const maxConcurrent = opts.maxConcurrent ?? EXPORTER_DEFAULTS.maxConcurrent;
  const requestTimeoutMs = opts.requestTimeoutMs ?? EXPORTER_DEFAULTS.requestTimeoutMs;
  const memory = new MemoryHistory();
  const history = opts.history ?? memory;
  const language = opts.language ?? 'en';
  const historyLabel = opts.historyLabel ?? (opts.history ? commandWords(language).status.store : commandWords(language).status.memory);
  const token = opts.token ? digest(opts.token) : null;
  let inFlight = 0;

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerBuildInfo(registry);
  const requests = new Counter({ name: 'mailflow_exporter_requests_total', help: 'HTTP requests by path and status', labelNames: ['path', 'status'], registers: [registry] });
  const probes = new Counter({ name: 'mailflow_exporter_probes_total', help: 'Probes run, by verdict', labelNames: ['verdict'], registers: [registry] });
  new Gauge({ name: 'mailflow_exporter_probes_in_flight', help: 'Probes running now', registers: [registry], collect() { this.set(inFlight); } });
  new Gauge({ name: 'mailflow_exporter_targets', help: 'Configured targets', registers: [registry] }).set(byName.size);
  registerRevocationCacheMetrics(registry);
  const durations = new Histogram({
    name: 'mailflow_exporter_probe_duration_seconds',
    help: 'How long probes took',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });

  const headersTimeoutMs = opts.headersTimeoutMs ?? EXPORTER_DEFAULTS.headersTimeoutMs;
  const maxConnections = opts.maxConnections ?? EXPORTER_DEFAULTS.maxConnections;
  // Stops every probe in flight when the exporter closes (SIGTERM): nobody waits for them.
  const closing = new AbortController();
  setMaxListeners(0, closing.signal);

  const server = http.createServer(
    {
      // Bounded requests: a slow client cannot hold a socket open (slowloris). Node checks
      // these timeouts on an interval (default 30 s, so a 10 s header timeout fired after
      // 34-38 s); a quarter of the header timeout, at most a second, keeps the bound close.
      headersTimeout: headersTimeoutMs,
      requestTimeout: Math.max(headersTimeoutMs, requestTimeoutMs + 5_000),
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
      keepAliveTimeout: KEEP_ALIVE_MS,
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => {
    if (refused.has(req.socket)) {
      // Every connection was busy when this one came: say so, and close it.
      requests.inc({ path: 'other', status: '503' });
      const body = `too many connections (${maxConnections} open, all busy); try again\n`;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close', 'retry-after': '1' });
      res.end(body);
      return;
    }
    busy.add(req.socket);
    res.on('close', () => {
      busy.delete(req.socket);
      if (open.has(req.socket)) open.set(req.socket, performance.now());
    });
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://exporter.invalid');
    } catch {
      // An absolute-form request line that is not a URL ("GET http://[x HTTP/1.1").
      requests.inc({ path: 'other', status: '400' });
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('malformed request URL\n');
      return;
    }
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void => {
      requests.inc({ path: ['/', '/probe', '/metrics', '/target'].includes(url.pathname) ? url.pathname : 'other', status: String(status) });
      if (res.headersSent || res.destroyed) return;
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const fail = (status: number, message: string, headers: Record<string, string> = {}): void => send(status, `${message}\n`, undefined, headers);

    if (token) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!given || !timingSafeEqual(digest(given), token)) {
        return fail(401, 'a bearer token is required (Authorization: Bearer …)', { 'www-authenticate': 'Bearer realm="mailflow-probe"' });
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, `method ${req.method} not allowed`, { allow: 'GET, HEAD' });

    switch (url.pathname) {
      case '/metrics':
        registry.metrics().then(
          (body) => send(200, body, registry.contentType),
          (err: Error) => fail(500, `metrics: ${err.message}`),
        );
        return;
      case '/':
        Promise.all(opts.targets.map(async (t) => ({ name: t.name, targets: t.targets, history: await history.recent(t.name, 60) }))).then(
          (rows) => send(200, renderStatusPage(rows, { source: historyLabel, language }), 'text/html; charset=utf-8'),
          (err: Error) => fail(500, `status page: ${err.message}`),
        );
        return;
      case '/target': {
        // One target's last result, from the same history as the status page.
        const target = opts.targets.find((t) => t.name === url.searchParams.get('name'));
        if (!target) return fail(404, 'unknown target: see / for the configured ones');
        Promise.resolve(history.recent(target.name, 60)).then(
          (points) => send(200, renderTargetDetail({ name: target.name, targets: target.targets, history: points }, { now: new Date(), source: historyLabel, language }), 'text/html; charset=utf-8'),
          (err: Error) => fail(500, `status page: ${err.message}`),
        );
        return;
      }
      case '/probe':
        return handleProbe(url, req, res, send, fail);
      default:
        return fail(404, `no such page ${url.pathname}; try /probe?target=NAME, /metrics or /`);
    }
  },
  );

  // The connection cap. Each open connection with the time it last went idle; those with
  // a request in progress are busy. Idle connections cannot crowd out a scrape: at the
  // cap, the one idle longest is closed to make room.
  const open = new Map<net.Socket, number>();
  const busy = new Set<net.Socket>();
  const refused = new WeakSet<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    if (open.size >= maxConnections) {
      let oldest: net.Socket | null = null;
      for (const [s, since] of open) if (!busy.has(s) && (oldest === null || since < open.get(oldest)!)) oldest = s;
      if (oldest) {
        open.delete(oldest);
        oldest.destroy();
      } else {
        refused.add(socket);
      }
    }
    open.set(socket, performance.now());
    socket.once('close', () => {
      open.delete(socket);
      busy.delete(socket);
    });
  });
  // A hard ceiling beneath the file descriptor limit, for refused connections that never send a request.
  server.maxConnections = maxConnections * 2;

  function handleProbe(
    url: URL,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    send: (status: number, body: string, type?: string) => void,
    fail: (status: number, message: string, headers?: Record<string, string>) => void,
  ): void {
    const name = url.searchParams.get('target');
    if (!name) return fail(400, 'target parameter is missing: /probe?target=NAME');
    const configured = byName.get(name);
    let targets: string[];
    let options: ProbeOptions;
    const refusals: string[] = [];
    if (configured) {
      targets = configured.targets;
      options = configured.options;
    } else {
      if (!opts.allowAnyTarget) return fail(404, `unknown target "${name}": this exporter probes only its configured targets (see /)`);
      let host: string;
      try {
        host = parseTarget(name);
      } catch (err) {
        return fail(400, (err as Error).message);
      }
      options = { ...opts.defaults };
      if (!opts.allowPrivate) {
        const why = net.isIP(host) ? forbiddenAddress(host) : null;
        if (why) return fail(403, `refused to probe ${name}: ${why} (start the exporter with --allow-private to allow it)`);
        // A name is judged by every address it resolves to, inside the probe, before any connection.
        options.addressFilter = (ip) => {
          const reason = forbiddenAddress(ip);
          if (reason) refusals.push(reason);
          return reason;
        };
      }
      targets = [host];
    }
    if (inFlight >= maxConcurrent) return fail(503, `too many probes in flight (${maxConcurrent}); try again`, { 'retry-after': '1' });

    const scrapeTimeout = Number(req.headers[SCRAPE_TIMEOUT_HEADER]);
    const budget = Math.min(requestTimeoutMs, Number.isFinite(scrapeTimeout) && scrapeTimeout > 0 ? scrapeTimeout * 1000 : Infinity) - ANSWER_MARGIN_MS;
    const deadlineMs = Math.max(1, Math.floor(Math.min(Number(options.deadlineMs ?? 60_000), budget)));
    const cancel = new AbortController();
    setMaxListeners(64, cancel.signal);
    const stop = (): void => cancel.abort(new DOMException('exporter closing', 'AbortError'));
    closing.signal.addEventListener('abort', stop, { once: true });
    // The scraper gave up: stop probing for nobody.
    res.on('close', () => {
      if (!res.writableFinished) cancel.abort(new DOMException('client went away', 'AbortError'));
    });
    inFlight++;
    probe(targets, { ...options, deadlineMs, signal: cancel.signal })
      .then((result) => {
        probes.inc({ verdict: result.verdict });
        durations.observe(result.durationMs / 1000);
        if (refusals.length) return fail(403, `refused to probe ${name}: ${refusals[0]} (start the exporter with --allow-private to allow it)`);
        if (configured) {
          opts.onResult?.(configured.name, result);
          memory.record(configured.name, historyPoint(result, catalogFor(language)));
        }
        const { body, contentType } = renderProbeMetrics(result);
        send(200, body, contentType);
      })
      .catch((err: Error) => fail(err instanceof UsageError ? 400 : 500, err.message))
      .finally(() => {
        inFlight--;
        closing.signal.removeEventListener('abort', stop);
      });
  }

  // A probe cannot outlive the request budget (its deadline is cut to it, above).
  server.maxHeadersCount = 64;
  server.maxRequestsPerSocket = 1000;

  const host = opts.host ?? EXPORTER_DEFAULTS.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? EXPORTER_DEFAULTS.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://${net.isIPv6(host) ? `[${host}]` : host}:${port}`,
    host,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
