/**
 * The version probe (probes/tls-versions.ts) on its own, against loopback SMTP servers
 * that speak only old TLS versions: after a `tls-version` failure, which of TLS 1.0 and
 * 1.1 the server completes a handshake with, each on a new connection, and the precise
 * failure that replaces the first one. Written for mutation testing (issue 20): the
 * probe's test reaches it only through the whole engine and looks at the code alone.
 */
import tls from 'node:tls';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { explainTlsFailure, probeLegacyVersions, versionName } from '../probes/tls-versions.js';
import { StageFailure } from '../probes/stage.js';
import { certSet, smtpScript, stageContext, startRaw, type SmtpScript } from './fixtures/index.js';

// The servers' certificate is made on first use, seconds of CPU on a loaded machine: made
// here, not while both version sessions wait for their handshakes.
beforeAll(() => {
  certSet().valid();
});

/** An SMTP server with STARTTLS whose TLS speaks `min`…`max`; counts its connections. */
async function server(min: tls.SecureVersion, max: tls.SecureVersion, script: SmtpScript = {}) {
  const handler = smtpScript({ tlsOptions: { minVersion: min, maxVersion: max, ciphers: 'DEFAULT@SECLEVEL=0' }, ...script });
  const state = { port: 0, accepted: 0 };
  const raw = await startRaw((socket) => {
    state.accepted++;
    handler(socket);
  });
  onTestFinished(() => raw.close());
  state.port = raw.port;
  return state;
}

const context = (port: number, signal?: AbortSignal) =>
  stageContext({ port, tls: { mode: 'opportunistic', domain: null, ca: [], revocation: 'off' }, ...(signal ? { signal } : {}) });

/** The failure the TLS stage gave for want of TLS 1.2. */
const versionFailure = () => new StageFailure('tls', 'tls-version', 'the server answered with a protocol_version alert', { errno: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });

async function thrown(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('resolved');
    },
    (e: unknown) => e,
  );
}

describe('versionName', () => {
  it.each([
    ['TLSv1', 'TLS 1.0'],
    ['TLSv1.1', 'TLS 1.1'],
    ['TLSv1.2', 'TLS 1.2'],
    ['TLSv1.3', 'TLS 1.3'],
    ['SSLv3', 'SSLv3'],
    ['xTLSv1.2', 'xTLSv1.2'],
  ])('%s → %s', (version, name) => {
    expect(versionName(version)).toBe(name);
  });
});

describe('explainTlsFailure', () => {
  it.each([
    ['TLSv1.1', 'TLSv1.1', ['TLSv1.1'], 'TLS 1.1'],
    ['TLSv1', 'TLSv1', ['TLSv1'], 'TLS 1.0'],
    ['TLSv1', 'TLSv1.1', ['TLSv1', 'TLSv1.1'], 'TLS 1.0 and TLS 1.1'],
  ] as const)('a server speaking %s to %s: tls-version naming what it offers, the first failure kept as cause', async (min, max, offered, names) => {
    const s = await server(min, max);
    const ctx = context(s.port);
    const first = versionFailure();
    const err = await thrown(explainTlsFailure(ctx, '127.0.0.1', 'mx1.demo.test', first));
    expect(err).toBeInstanceOf(StageFailure);
    const f = err as StageFailure;
    expect([f.stage, f.kind, f.message, f.detail, f.cause]).toEqual([
      'tls',
      'tls-version',
      `the server offers only ${names}; Exchange Online requires TLS 1.2 or later`,
      { errno: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', offered: offered.at(-1), offeredVersions: offered },
      first,
    ]);
    expect(f.cause).toBe(first);
    expect(ctx.transcript).toEqual([`* probed TLS 1.0, TLS 1.1 on new connections: offered ${names}`]);
    // one new connection per legacy version
    expect(s.accepted).toBe(2);
  });

  it('a server that completes neither: the first failure as it was, "none completed"', async () => {
    const s = await server('TLSv1.2', 'TLSv1.3');
    const ctx = context(s.port);
    const first = versionFailure();
    expect(await thrown(explainTlsFailure(ctx, '127.0.0.1', 'mx1.demo.test', first))).toBe(first);
    expect(ctx.transcript).toEqual(['* probed TLS 1.0, TLS 1.1 on new connections: none completed']);
    expect(s.accepted).toBe(2);
  });

  it('a session that fails before the handshake (STARTTLS refused) tells nothing: none completed', async () => {
    const s = await server('TLSv1', 'TLSv1.1', { onStarttls: '454' });
    expect(await probeLegacyVersions(context(s.port), '127.0.0.1', null)).toEqual([]);
    expect(s.accepted).toBe(2);
  });

  it.each([
    ['an error that is no StageFailure', () => new Error('boom')],
    ['another kind of TLS failure', () => new StageFailure('tls', 'tls-handshake', 'handshake failed')],
  ])('%s passes through unchanged, nothing probed', async (_what, make) => {
    const s = await server('TLSv1', 'TLSv1.1');
    const ctx = context(s.port);
    const err = make();
    expect(await thrown(explainTlsFailure(ctx, '127.0.0.1', 'mx1.demo.test', err))).toBe(err);
    expect([ctx.transcript, s.accepted]).toEqual([[], 0]);
  });

  it('a probe already aborted (deadline or cancel) probes nothing', async () => {
    const s = await server('TLSv1', 'TLSv1.1');
    const aborted = new AbortController();
    aborted.abort();
    const ctx = context(s.port, aborted.signal);
    const first = versionFailure();
    expect(await thrown(explainTlsFailure(ctx, '127.0.0.1', 'mx1.demo.test', first))).toBe(first);
    expect([ctx.transcript, s.accepted]).toEqual([[], 0]);
  });
});
