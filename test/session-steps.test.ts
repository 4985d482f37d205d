/**
 * The session driver (probes/session.ts) step by step, as whole facts: every StageResult
 * (name, ok, detail, its template), the events, the replies and what went on the wire,
 * against loopback SMTP servers. test/session.test.ts covers the envelope and verify's use
 * of the driver; these pin the rest, written for mutation testing (issue 20).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { CertificateCheck } from '../probes/certificate.js';
import { openContext } from '../probes/context.js';
import { PROBE_STEPS, runSession, type SessionFacts, type SessionStep } from '../probes/session.js';
import type { StageResult, TlsMode } from '../probes/stage.js';
import { certSet, smtpScript, startRaw, startSmtp, type SmtpScript } from './fixtures/index.js';
import { spoken } from './fixtures/spoken.js';

function context(port: number, o: { mode?: TlsMode; domain?: string | null; ehloName?: string | null } = {}) {
  const scope = openContext({
    deadlineMs: 10_000,
    stageTimeoutMs: 3000,
    resolvers: [],
    port,
    ehloName: o.ehloName === undefined ? 'probe.demo.test' : o.ehloName,
    tls: { mode: o.mode ?? 'certificate-validation', domain: o.domain ?? null, ca: [certSet().root.cert], revocation: 'off' },
  });
  onTestFinished(() => scope.dispose());
  return scope.context();
}

async function raw(script: SmtpScript = {}) {
  const server = await startRaw(smtpScript(script));
  onTestFinished(() => server.close());
  return server;
}

/** A stage without its time; a said detail checked against its template, then set aside. */
function stage(r: StageResult) {
  const { ms, detailId, detailArgs, ...rest } = r;
  expect(ms).toBeGreaterThanOrEqual(0);
  const plain = detailId ? spoken({ ...rest, id: detailId, args: detailArgs ?? {} }) : rest;
  return plain.failure?.id ? { ...plain, failure: spoken(plain.failure) } : plain;
}

const stages = (f: SessionFacts) => f.stages.map(stage);

/** What the certificate stage says of the loopback leaf under a mode. */
function certificateDetail(c: CertificateCheck | undefined, judged: string): string {
  const leaf = c?.chain[0];
  return `CN=mx1.demo.test; ${judged}; expires ${leaf?.validTo.slice(0, 10)} (${leaf?.daysLeft} days)`;
}

describe('runSession: the probe’s dialogue', () => {
  it.each([
    ['certificate-validation', null, 'trusted'],
    ['domain-validation', 'mx1.demo.test', 'trusted, matches mx1.demo.test'],
    ['encryption-only', null, 'not validated (encryption-only)'],
  ] as const)('under %s: every stage passed and described; the address literal as EHLO name when none is set', async (mode, domain, judged) => {
    const server = await startSmtp({ tls: certSet().valid() });
    onTestFinished(() => server.close());
    const ctx = context(server.port, { mode, domain, ehloName: null });
    const seen: string[] = [];
    const facts = await runSession(ctx, { ip: '127.0.0.1', servername: 'mx1.demo.test', steps: PROBE_STEPS, onTls: (s) => seen.push(s.getProtocol() ?? '') });
    const keywords = 'PIPELINING 8BITMIME SMTPUTF8 STARTTLS SIZE 36700160';
    expect(stages(facts)).toEqual([
      { name: 'tcp', ok: true, detail: `connected to 127.0.0.1:${server.port} from 127.0.0.1` },
      { name: 'banner', ok: true, detail: '220 mx1.demo.test ESMTP' },
      { name: 'ehlo', ok: true, detail: `mx1.demo.test: ${keywords}` },
      { name: 'starttls', ok: true, detail: '220 Ready to start TLS' },
      { name: 'tls', ok: true, detail: 'TLSv1.3 TLS_AES_256_GCM_SHA384' },
      { name: 'certificate', ok: true, detail: certificateDetail(facts.certificate, judged) },
      { name: 'ehlo-tls', ok: true, detail: 'mx1.demo.test: PIPELINING 8BITMIME SMTPUTF8 SIZE 36700160' },
      { name: 'quit', ok: true, detail: '221 Bye' },
    ]);
    expect([facts.failure, facts.events, facts.replies, facts.sourceAddress, facts.tls, facts.transcript, seen]).toEqual([
      undefined,
      [],
      {},
      '127.0.0.1',
      { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', authorized: true, authorizationError: null },
      ctx.transcript,
      ['TLSv1.3'],
    ]);
    expect([facts.capabilities?.starttls, facts.capabilitiesAfterTls?.starttls]).toEqual([true, false]);
    expect(ctx.transcript.filter((l) => l.startsWith('C: ') || l.startsWith('* '))).toEqual([
      'C: EHLO [127.0.0.1]',
      'C: STARTTLS',
      '* TLS established: TLSv1.3 TLS_AES_256_GCM_SHA384',
      'C: EHLO [127.0.0.1]',
      'C: QUIT',
    ]);
  });

  it('stages already run (the DNS stage) come first', async () => {
    const server = await raw();
    const dns: StageResult = { name: 'dns', ok: true, ms: 1, detail: 'IP address' };
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps: [{ stage: 'tcp' }], stages: [dns] });
    expect(facts.stages.map((s) => s.name)).toEqual(['dns', 'tcp']);
    expect(facts.stages[0]).toBe(dns);
  });

  it('an EHLO reply without extensions, and a HELO server, are described as such', async () => {
    const bare = await raw({ ehlo: [] });
    const helo = await raw({ replies: { EHLO: '502 5.5.1 Command not implemented' } });
    const steps: SessionStep[] = [{ stage: 'tcp' }, { stage: 'banner' }, { stage: 'ehlo' }];
    expect(stages(await runSession(context(bare.port), { ip: '127.0.0.1', servername: null, steps })).at(-1)).toEqual({ name: 'ehlo', ok: true, detail: 'mx1.demo.test: (no extensions)' });
    expect(stages(await runSession(context(helo.port), { ip: '127.0.0.1', servername: null, steps })).at(-1)).toEqual({ name: 'ehlo', ok: true, detail: 'HELO accepted (the server rejected EHLO: no extensions)' });
  });

  it('a QUIT without a reply is no failure', async () => {
    const server = await raw({ replies: { QUIT: '' } });
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps: [{ stage: 'tcp' }, { stage: 'banner' }, { stage: 'quit' }] });
    expect([stages(facts).at(-1), facts.failure]).toEqual([{ name: 'quit', ok: true, detail: 'no reply (the server closed the connection)' }, undefined]);
  });
});

describe('runSession: STARTTLS', () => {
  const upToTls: SessionStep[] = [{ stage: 'tcp' }, { stage: 'banner' }, { stage: 'ehlo' }, { stage: 'starttls' }, { stage: 'tls' }, { stage: 'certificate' }, { stage: 'ehlo-tls' }, { stage: 'quit' }];

  it('not offered, under a mode that requires TLS: the starttls stage fails, nothing more is sent', async () => {
    const server = await raw({ ehlo: ['PIPELINING'] });
    const ctx = context(server.port, { mode: 'encryption-only' });
    const facts = await runSession(ctx, { ip: '127.0.0.1', servername: null, steps: upToTls });
    expect(stages(facts).slice(3)).toEqual([
      {
        name: 'starttls',
        ok: false,
        detail: 'the connector requires TLS (encryption-only) but the server does not offer STARTTLS',
        failure: { stage: 'starttls', kind: 'starttls-not-offered', message: 'the connector requires TLS (encryption-only) but the server does not offer STARTTLS' },
      },
    ]);
    expect([facts.failure?.kind, facts.events, ctx.transcript.filter((l) => l.startsWith('C: '))]).toEqual(['starttls-not-offered', [], ['C: EHLO probe.demo.test']]);
  });

  it('not offered, under opportunistic: a no-tls event, the TLS stages skipped, the session ends with QUIT', async () => {
    const server = await raw({ ehlo: ['PIPELINING'] });
    const facts = await runSession(context(server.port, { mode: 'opportunistic' }), { ip: '127.0.0.1', servername: null, steps: upToTls });
    expect(facts.stages.map((s) => s.name)).toEqual(['tcp', 'banner', 'ehlo', 'quit']);
    expect([facts.failure, facts.events]).toEqual([undefined, [{ kind: 'no-tls' }]]);
  });

  it.each([
    ['a partial line', '250 inj'],
    ['a whole reply in the same write', '250 injected\r\n'],
    ['a whole multi-line reply and the start of another', '250-one\r\n250 two\r\n554 x'],
  ])('bytes after the 220 to STARTTLS are discarded and counted (RFC 3207 §4.2): %s', async (_name, injected) => {
    const server = await startRaw((socket) => {
      socket.write('220 mx1.demo.test ESMTP\r\n');
      socket.on('data', (chunk) => {
        const line = chunk.toString('latin1');
        if (line.startsWith('EHLO')) socket.write('250-mx1.demo.test\r\n250 STARTTLS\r\n');
        else if (line.startsWith('STARTTLS')) socket.write(`220 2.0.0 Ready\r\n${injected}`);
      });
    });
    onTestFinished(() => server.close());
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps: [{ stage: 'tcp' }, { stage: 'banner' }, { stage: 'ehlo' }, { stage: 'starttls' }] });
    expect([facts.failure, facts.events]).toEqual([undefined, [{ kind: 'starttls-injection', bytes: Buffer.byteLength(injected) }]]);
  });

  it('under opportunistic, reconnect with no envelope step left: the fallback event, and the session ends there', async () => {
    const server = await raw({ onStarttls: 'close' });
    const facts = await runSession(context(server.port, { mode: 'opportunistic' }), { ip: '127.0.0.1', servername: null, steps: upToTls, fallback: 'reconnect' });
    expect(facts.stages.map((s) => [s.name, s.ok])).toEqual([['tcp', true], ['banner', true], ['ehlo', true], ['starttls', true], ['tls', false]]);
    expect([facts.failure, facts.events.map((e) => e.kind)]).toEqual([undefined, ['tls-fallback']]);
  });

  it('under opportunistic, fallback none: the TLS failure is the session’s failure', async () => {
    const server = await raw({ onStarttls: 'close' });
    const facts = await runSession(context(server.port, { mode: 'opportunistic' }), { ip: '127.0.0.1', servername: null, steps: upToTls, fallback: 'none' });
    expect([facts.failure?.stage, facts.failure?.kind, facts.events]).toEqual(['tls', 'closed', []]);
  });

  it('an explain step that throws what is no StageFailure: an internal failure of that stage, with its message', async () => {
    const server = await raw({ onStarttls: 'close' });
    const boom = new Error('explained badly');
    const steps: SessionStep[] = [{ stage: 'tcp' }, { stage: 'banner' }, { stage: 'ehlo' }, { stage: 'starttls' }, { stage: 'tls', explain: async () => Promise.reject(boom) }];
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps });
    expect(facts.stages.at(-1)).toEqual({ name: 'tls', ok: false, ms: facts.stages.at(-1)?.ms, detail: 'explained badly', failure: { stage: 'tls', kind: 'internal', message: 'explained badly' } });
    expect([facts.failure?.stage, facts.failure?.kind, facts.failure?.cause]).toEqual(['tls', 'internal', boom]);
  });
});

describe('runSession: the envelope', () => {
  const envelope = (to: string, more: SessionStep[] = []): SessionStep[] => [
    { stage: 'tcp' },
    { stage: 'banner' },
    { stage: 'ehlo' },
    { stage: 'mail', from: 'probe@contoso.test' },
    { stage: 'rcpt', to },
    ...more,
  ];

  it('RCPT answered 251 (will forward) is accepted', async () => {
    const server = await raw({ replies: { RCPT: '251 2.1.5 User not local; will forward' } });
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps: envelope('user@demo.test') });
    expect([facts.failure, facts.replies.rcpt?.code, stages(facts).at(-1)]).toEqual([undefined, 251, { name: 'rcpt', ok: true, detail: '251 2.1.5 User not local; will forward' }]);
  });

  it.each([
    ['RCPT refused', { RCPT: '550 5.1.1 No such user' }, 'rcpt', 'RCPT TO:<nobody@demo.test> was refused: 550 5.1.1 No such user', ['C: RCPT TO:<nobody@demo.test>', 'C: QUIT']],
    ['RSET refused', { RSET: '502 5.5.1 No' }, 'rset', 'RSET was refused: 502 5.5.1 No', ['C: RSET', 'C: QUIT']],
    ['DATA refused', { DATA: '554 5.3.0 No data' }, 'data', 'DATA was refused: 554 5.3.0 No data', ['C: DATA', 'C: QUIT']],
  ] as const)('%s: a reply failure of its own stage, then QUIT', async (_what, replies, name, message, last) => {
    const server = await raw({ replies });
    const ctx = context(server.port);
    const more: SessionStep[] = name === 'rset' ? [{ stage: 'rset' }, { stage: 'quit' }] : name === 'data' ? [{ stage: 'data', message: 'x' }, { stage: 'quit' }] : [{ stage: 'quit' }];
    const facts = await runSession(ctx, { ip: '127.0.0.1', servername: null, steps: envelope(name === 'rcpt' ? 'nobody@demo.test' : 'user@demo.test', more) });
    expect([facts.failure?.stage, facts.failure?.kind, facts.failure?.message]).toEqual([name, 'reply', message]);
    expect(ctx.transcript.filter((l) => l.startsWith('C: ')).slice(-2)).toEqual(last);
  });

  it('a refused envelope command with no QUIT step: no QUIT is sent', async () => {
    const server = await raw({ replies: { RCPT: '550 5.1.1 No such user' } });
    const ctx = context(server.port);
    await runSession(ctx, { ip: '127.0.0.1', servername: null, steps: envelope('nobody@demo.test') });
    expect(ctx.transcript.filter((l) => l.startsWith('C: ')).at(-1)).toBe('C: RCPT TO:<nobody@demo.test>');
  });

  it('a failure that is no reply (the banner refused) sends no QUIT', async () => {
    const server = await raw({ banner: '554 5.7.1 Go away' });
    const ctx = context(server.port);
    const facts = await runSession(ctx, { ip: '127.0.0.1', servername: null, steps: [...envelope('user@demo.test'), { stage: 'quit' }] });
    expect([facts.failure?.stage, facts.failure?.kind, ctx.transcript.filter((l) => l.startsWith('C: '))]).toEqual(['banner', 'reply', []]);
  });

  it('the message is dot-stuffed and ended with CRLF . (RFC 5321 §4.5.2), its refusal its own text', async () => {
    const lines: string[] = [];
    const server = await startRaw((socket) => {
      let data = false;
      socket.write('220 mx1.demo.test ESMTP\r\n');
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString('latin1');
        let i: number;
        while ((i = buffer.indexOf('\r\n')) >= 0) {
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          if (data) {
            lines.push(line);
            if (line === '.') {
              data = false;
              socket.write('554 5.6.0 Message refused\r\n');
            }
          } else if (line === 'DATA') {
            data = true;
            socket.write('354 go ahead\r\n');
          } else socket.write('250 OK\r\n');
        }
      });
    });
    onTestFinished(() => server.close());
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps: envelope('user@demo.test', [{ stage: 'data', message: '.one\n..two\nthree' }]) });
    expect(lines).toEqual(['..one', '...two', 'three', '.']);
    expect([facts.failure?.stage, facts.failure?.kind, facts.failure?.message]).toEqual(['data', 'reply', 'the message was refused: 554 5.6.0 Message refused']);
  });
});
