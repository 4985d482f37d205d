/**
 * The one SMTP session driver (probes/session.ts), the context factory (probes/context.ts)
 * and the one worker pool (src/pool.ts): a session is a list of steps, each recorded under
 * its own stage name; verify's recipient test runs on it with the probe's certificate
 * check and opportunistic fallback.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { BoundedCache } from '../probes/caches.js';
import { openContext } from '../probes/context.js';
import { PROBE_STEPS, runSession, type SessionStep } from '../probes/session.js';
import type { TlsMode } from '../probes/stage.js';
import { transcriptLine } from '../src/catalog/probe-text.js';
import { ptBR } from '../src/catalog/pt-br.js';
import { mapLimit, worstVerdict } from '../src/core/pool.js';
import { recipientTest } from '../src/verify/envelope.js';
import { certSet, closeDuringHandshake, issueLeaf, makeOcspResponse, smtpScript, startRaw, startSmtp } from './fixtures/index.js';
import { spoken } from './fixtures/spoken.js';

const ENVELOPE: SessionStep[] = [
  ...PROBE_STEPS.filter((s) => s.stage !== 'quit'),
  { stage: 'mail', from: 'probe@contoso.test' },
  { stage: 'rcpt', to: 'user@demo.test' },
];

function scope(port: number, mode: TlsMode = 'certificate-validation') {
  const s = openContext({
    deadlineMs: 10_000,
    stageTimeoutMs: 3000,
    resolvers: [],
    port,
    ehloName: 'probe.demo.test',
    tls: { mode, domain: null, ca: [certSet().root.cert], revocation: 'off' },
  });
  onTestFinished(() => s.dispose());
  return s;
}

describe('the session driver', () => {
  it('runs MAIL, RCPT, RSET, DATA and QUIT as steps, each a StageResult under its own name', async () => {
    const server = await startSmtp({ tls: certSet().valid() });
    onTestFinished(() => server.close());
    const facts = await runSession(scope(server.port).context(), {
      ip: '127.0.0.1',
      servername: 'mx1.demo.test',
      steps: [...ENVELOPE, { stage: 'rset' }, { stage: 'mail', from: 'probe@contoso.test' }, { stage: 'rcpt', to: 'user@demo.test' }, { stage: 'data', message: 'Subject: t\r\n\r\n.leading dot\r\nend\r\n' }, { stage: 'quit' }],
    });
    expect(facts.failure).toBeUndefined();
    expect(facts.stages.map((s) => [s.name, s.ok])).toEqual(
      ['tcp', 'banner', 'ehlo', 'starttls', 'tls', 'certificate', 'ehlo-tls', 'mail', 'rcpt', 'rset', 'mail', 'rcpt', 'data', 'quit'].map((n) => [n, true]),
    );
    expect(facts.replies.data?.code).toBe(250);
    // RFC 5321 §4.5.2: dot-stuffed on the wire, unstuffed by the server
    expect(server.messages.at(-1)).toMatchObject({ from: 'probe@contoso.test', to: ['user@demo.test'], secure: true, data: 'Subject: t\r\n\r\n.leading dot\r\nend\r\n' });
  });

  it('a refused command fails its own stage with the reply, and the session still ends with QUIT', async () => {
    const server = await startRaw(smtpScript({ replies: { MAIL: '550 5.7.1 Sender rejected' } }));
    onTestFinished(() => server.close());
    const ctx = scope(server.port).context();
    const facts = await runSession(ctx, { ip: '127.0.0.1', servername: 'mx1.demo.test', steps: [...ENVELOPE, { stage: 'quit' }] });
    expect(spoken(facts.failure?.toJSON())).toEqual({
      stage: 'mail',
      kind: 'reply',
      message: 'MAIL FROM was refused: 550 5.7.1 Sender rejected',
      reply: { code: 550, enhanced: '5.7.1', lines: ['5.7.1 Sender rejected'] },
    });
    expect(facts.stages.at(-1)).toMatchObject({ name: 'mail', ok: false });
    expect(ctx.transcript.slice(-2)).toEqual(['C: QUIT', 'S: 221 2.0.0 Bye']);
  });

  it('a TLS failure under a validating mode fails the tls stage; under opportunistic it is a fallback event', async () => {
    const server = await startRaw(closeDuringHandshake);
    onTestFinished(() => server.close());
    const required = await runSession(scope(server.port).context(), { ip: '127.0.0.1', servername: 'mx1.demo.test', steps: PROBE_STEPS });
    expect([required.failure?.stage, required.failure?.kind, required.events]).toEqual(['tls', 'closed', []]);
    const opportunistic = await runSession(scope(server.port, 'opportunistic').context(), { ip: '127.0.0.1', servername: 'mx1.demo.test', steps: PROBE_STEPS });
    expect(opportunistic.failure).toBeUndefined();
    expect(opportunistic.events.map((e) => e.kind)).toEqual(['tls-fallback']);
    // 'stop': the plain dialogue up to EHLO passed, nothing more is sent
    expect(opportunistic.stages.map((s) => [s.name, s.ok])).toEqual([['tcp', true], ['banner', true], ['ehlo', true], ['starttls', true], ['tls', false]]);
  });
});

describe("verify's recipient test on the driver", () => {
  const target = (port: number, mode: TlsMode, revocation: 'off' | 'soft' = 'off') => ({ host: 'mx1.demo.test', ip: '127.0.0.1', port, tls: { mode, domain: null, ca: [certSet().root.cert], revocation }, ehloName: 'probe.demo.test', timeoutMs: 3000 });

  it('opportunistic and a failed TLS upgrade: a new plaintext connection, as Exchange Online retries, and the recipient is tested there', async () => {
    const server = await startRaw(closeDuringHandshake);
    onTestFinished(() => server.close());
    const outcome = await recipientTest(target(server.port, 'opportunistic'), { from: 'probe@contoso.test', to: 'user@demo.test' });
    expect(outcome).toMatchObject({ ok: true, step: 'done', reply: '250 2.0.0 OK', detail: 'RCPT TO:<user@demo.test> accepted: 250 2.0.0 OK' });
    expect(outcome.transcript.filter((l) => l.startsWith('C: '))).toEqual([
      'C: EHLO probe.demo.test',
      'C: STARTTLS',
      'C: EHLO probe.demo.test',
      'C: MAIL FROM:<probe@contoso.test>',
      'C: RCPT TO:<user@demo.test>',
      'C: RSET',
      'C: QUIT',
    ]);
    expect(outcome.transcript).toContain('* TLS upgrade failed: a new connection without STARTTLS, as Exchange Online retries');
    // the note's id is kept beside it, so a report in Portuguese words it again
    expect(outcome.transcriptRefs?.['TLS upgrade failed: a new connection without STARTTLS, as Exchange Online retries']).toEqual({ id: 'session.plain-retry', args: {} });
    expect(outcome.transcript.filter((l) => l.startsWith('* ')).map((l) => transcriptLine(l, ptBR, outcome.transcriptRefs))).toEqual([
      '* a ativação do TLS falhou: nova conexão sem STARTTLS, como o Exchange Online faz nas novas tentativas',
    ]);
    // under a mode that requires TLS the same server fails the test at its TLS step
    const required = await recipientTest(target(server.port, 'encryption-only'), { from: 'probe@contoso.test', to: 'user@demo.test' });
    expect(required).toMatchObject({ ok: false, step: 'tls', reply: null, detail: 'tls: the server closed the connection during the TLS handshake' });
  });

  it('checks the certificate as the probe does: an expired one fails under certificate-validation', async () => {
    const server = await startSmtp({ tls: certSet().expired });
    onTestFinished(() => server.close());
    const outcome = await recipientTest(target(server.port, 'certificate-validation'), { from: 'probe@contoso.test', to: 'user@demo.test' });
    expect(outcome).toMatchObject({ ok: false, step: 'tls', reply: null });
    expect(outcome.detail).toMatch(/^tls: the certificate expired on \d{4}-\d\d-\d\d$/);
    expect(server.recipients).toEqual([]);
  });
});

describe("verify's recipient test checks revocation as the probe does", () => {
  it('a revoked certificate (stapled OCSP) fails the test at its TLS step, before MAIL FROM', async () => {
    const leaf = issueLeaf(certSet().intermediate, { dnsNames: ['mx1.demo.test'] });
    const staple = await makeOcspResponse(certSet().intermediate, leaf.cert, { status: 'revoked' });
    const server = await startRaw(smtpScript({ tls: { key: leaf.key, cert: leaf.fullchain }, staple }));
    onTestFinished(() => server.close());
    const target = { host: 'mx1.demo.test', ip: '127.0.0.1', port: server.port, tls: { mode: 'certificate-validation' as const, domain: null, ca: [certSet().root.cert], revocation: 'soft' as const }, ehloName: 'probe.demo.test', timeoutMs: 3000 };
    const outcome = await recipientTest(target, { from: 'probe@contoso.test', to: 'user@demo.test' });
    expect(outcome).toMatchObject({ ok: false, step: 'tls', reply: null });
    expect(outcome.detail).toMatch(/^tls: the certificate has been revoked by its CA: it is no longer valid \(the stapled OCSP response says revoked since \d{4}-/);
    expect(outcome.transcript).not.toContain('C: MAIL FROM:<probe@contoso.test>');
  });
});

describe('the worker pool', () => {
  it('keeps input order, never exceeds its limit, and takes a limit below 1 as 1', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([30, 5, 20, 1, 10], 2, async (ms, i) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return `${i}:${ms}`;
    });
    expect([out, peak]).toEqual([['0:30', '1:5', '2:20', '3:1', '4:10'], 2]);
    expect(await mapLimit([1, 2], 0, async (n) => n * 2)).toEqual([2, 4]);
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    expect([worstVerdict([]), worstVerdict(['healthy', 'degraded']), worstVerdict(['degraded', 'failing', 'healthy'])]).toEqual(['healthy', 'degraded', 'failing']);
  });
});

describe('the bounded caches', () => {
  it('hold at most their bound, the oldest entry going first; a key set again does not evict', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('b', 3);
    expect([cache.size, cache.get('a'), cache.get('b')]).toEqual([2, 1, 3]);
    cache.set('c', 4);
    expect([cache.size, cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([2, undefined, 3, 4]);
  });
});
