/**
 * The session driver (probes/session.ts) step by step, as whole facts: every StageResult
 * (name, ok, detail, its template), the events, the replies and what went on the wire,
 * against loopback SMTP servers. test/session.test.ts covers the envelope and verify's use
 * of the driver; these pin the rest, written for mutation testing (issue 20).
 */
import tls from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { CertificateCheck } from '../probes/certificate.js';
import { openContext } from '../probes/context.js';
import { say } from '../probes/messages.js';
import { addressLiteral, noteInTranscript, PROBE_STEPS, runSession, type SessionFacts, type SessionStep } from '../probes/session.js';
import type { StageResult, TlsMode } from '../probes/stage.js';
import { certSet, issueLeaf, makeOcspResponse, serverTls, smtpScript, startRaw, startSmtp, type RawServer, type SmtpScript } from './fixtures/index.js';
import { spoken } from './fixtures/spoken.js';

function context(
  port: number,
  o: { mode?: TlsMode; domain?: string | null; ehloName?: string | null; stageTimeoutMs?: number; revocation?: 'off' | 'soft'; cancel?: AbortSignal } = {},
) {
  const scope = openContext(
    {
      deadlineMs: 10_000,
      stageTimeoutMs: o.stageTimeoutMs ?? 3000,
      resolvers: [],
      port,
      ehloName: o.ehloName === undefined ? 'probe.demo.test' : o.ehloName,
      tls: { mode: o.mode ?? 'certificate-validation', domain: o.domain ?? null, ca: [certSet().root.cert], revocation: o.revocation ?? 'off' },
    },
    o.cancel,
  );
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
    let data = false;
    const server = await scripted((line) => {
      if (data) {
        lines.push(line);
        if (line !== '.') return undefined;
        data = false;
        return '554 5.6.0 Message refused';
      }
      if (line !== 'DATA') return '250 OK';
      data = true;
      return '354 go ahead';
    });
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps: envelope('user@demo.test', [{ stage: 'data', message: '.one\n..two\nthree' }]) });
    expect(lines).toEqual(['..one', '...two', 'three', '.']);
    expect([facts.failure?.stage, facts.failure?.kind, facts.failure?.message]).toEqual(['data', 'reply', 'the message was refused: 554 5.6.0 Message refused']);
  });
});

/**
 * Answers the dialogue line by line with `answer` (undefined: no reply at all), after a
 * `220` greeting sent `greetAfterMs` after the connection.
 */
async function scripted(answer: (line: string, socket: import('node:net').Socket) => string | undefined, greetAfterMs = 0): Promise<RawServer> {
  const server = await startRaw((socket) => {
    setTimeout(() => socket.write('220 mx1.demo.test ESMTP\r\n'), greetAfterMs);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const reply = answer(line, socket);
        if (reply !== undefined) socket.write(`${reply}\r\n`);
      }
    });
  });
  onTestFinished(() => server.close());
  return server;
}

/** Offers STARTTLS and upgrades; over TLS, answers every line with `afterTls`. */
async function tlsThen(afterTls: string, onHello?: () => void): Promise<RawServer> {
  const server = await startRaw((socket) => {
    socket.write('220 mx1.demo.test ESMTP\r\n');
    const plain = (chunk: Buffer) => {
      const line = chunk.toString('latin1');
      if (line.startsWith('EHLO')) socket.write('250-mx1.demo.test\r\n250 STARTTLS\r\n');
      else if (line.startsWith('STARTTLS')) {
        socket.off('data', plain);
        socket.write('220 2.0.0 Ready\r\n');
        if (onHello) {
          socket.once('data', onHello);
          return;
        }
        const secured = new tls.TLSSocket(socket, { isServer: true, ...serverTls(certSet().valid()) });
        secured.on('error', () => secured.destroy());
        secured.on('data', () => secured.write(`${afterTls}\r\n`));
      }
    };
    socket.on('data', plain);
  });
  onTestFinished(() => server.close());
  return server;
}

const sent = (transcript: string[]) => transcript.filter((l) => l.startsWith('C: '));

describe('runSession: what the first mutation run of session.ts left (issue 20)', () => {
  const upToEhlo: SessionStep[] = [{ stage: 'tcp' }, { stage: 'banner' }, { stage: 'ehlo' }];
  const upToTls: SessionStep[] = [...upToEhlo, { stage: 'starttls' }, { stage: 'tls' }, { stage: 'certificate' }, { stage: 'ehlo-tls' }, { stage: 'quit' }];

  it('a note without transcriptRefs (a context made by hand) goes to the transcript only', () => {
    const transcript: string[] = [];
    noteInTranscript({ transcript }, say('session.plain-retry'));
    expect(transcript).toEqual([`* ${say('session.plain-retry').text}`]);
  });

  it('over IPv6: the address in brackets, the address literal [IPv6:…] as EHLO name (RFC 5321 §4.1.3)', async () => {
    const server = await startRaw(smtpScript(), { host: '::1' });
    onTestFinished(() => server.close());
    const ctx = context(server.port, { ehloName: null });
    const facts = await runSession(ctx, { ip: '::1', servername: null, steps: upToEhlo });
    expect([stages(facts)[0], facts.sourceAddress, facts.failure, sent(ctx.transcript)]).toEqual([
      { name: 'tcp', ok: true, detail: `connected to [::1]:${server.port} from ::1` },
      '::1',
      undefined,
      ['C: EHLO [IPv6:::1]'],
    ]);
    expect([addressLiteral('::1'), addressLiteral('127.0.0.1')]).toEqual(['[IPv6:::1]', '[127.0.0.1]']);
  });

  it('a stage’s time is in milliseconds, to a tenth, and spans the wait (a greeting 80 ms late)', async () => {
    const server = await scripted(() => '250 OK', 80);
    const t0 = performance.now();
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps: [{ stage: 'tcp' }, { stage: 'banner' }] });
    const elapsed = performance.now() - t0;
    const banner = facts.stages[1]?.ms ?? -1;
    expect(banner).toBeGreaterThanOrEqual(70);
    expect(banner).toBeLessThanOrEqual(elapsed + 0.05);
    expect(Number(banner.toFixed(1))).toBe(banner);
  });

  it('SIZE is shown with its value and no other keyword is; a SIZE without one shows alone', async () => {
    const server = await raw({ ehlo: ['AUTH PLAIN LOGIN', 'SIZE'] });
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps: upToEhlo });
    expect(stages(facts).at(-1)).toEqual({ name: 'ehlo', ok: true, detail: 'mx1.demo.test: AUTH SIZE' });
  });

  it('a good stapled OCSP response is said in the certificate stage’s detail', async () => {
    const leaf = certSet().valid();
    const staple = await makeOcspResponse(certSet().intermediate, leaf.cert, { status: 'good' });
    const server = await raw({ tls: leaf, staple });
    const facts = await runSession(context(server.port, { revocation: 'soft' }), { ip: '127.0.0.1', servername: 'mx1.demo.test', steps: upToTls });
    expect([facts.failure, facts.certificate?.revocation?.status, stages(facts)[5]]).toEqual([
      undefined,
      'good',
      { name: 'certificate', ok: true, detail: `${certificateDetail(facts.certificate, 'trusted')}; not revoked (ocsp-staple)` },
    ]);
  });

  // daysLeft rounds down (probes/certificate.ts): 30 days and some hours ago is -31.
  it.each([
    ['an expired leaf', 'expired', -31],
    ['a leaf that expires within the day', 'today', 0],
  ] as const)('%s, under encryption-only: described, not judged', async (_name, which, daysLeft) => {
    const leaf12h = () => issueLeaf(certSet().intermediate, { dnsNames: ['mx1.demo.test'], notAfter: new Date(Date.now() + 12 * 3600_000) });
    const server = await raw({ tls: which === 'expired' ? certSet().expired : leaf12h() });
    const facts = await runSession(context(server.port, { mode: 'encryption-only' }), { ip: '127.0.0.1', servername: 'mx1.demo.test', steps: upToTls });
    const leaf = facts.certificate?.chain[0];
    const date = leaf?.validTo.slice(0, 10);
    const validity = daysLeft < 0 ? `expired ${date} (${-daysLeft} days ago)` : `expires ${date} (${daysLeft} days)`;
    expect([facts.failure, leaf?.daysLeft, stages(facts)[5]]).toEqual([
      undefined,
      daysLeft,
      { name: 'certificate', ok: true, detail: `CN=mx1.demo.test; not validated (encryption-only); ${validity}` },
    ]);
  });

  it('a failed certificate stage still reports the chain it judged (onCheck)', async () => {
    const server = await raw({ tls: certSet().expired });
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: 'mx1.demo.test', steps: upToTls });
    expect([facts.failure?.stage, facts.failure?.kind, facts.failure?.detail.reason, facts.certificate?.chain.map((c) => c.subject)]).toEqual([
      'certificate',
      'certificate',
      'expired',
      ['CN=mx1.demo.test', 'CN=mailflow-probe Test Intermediate, O=mailflow-probe fixtures', 'CN=mailflow-probe Test Root, O=mailflow-probe fixtures'],
    ]);
  });

  it.each([
    ['RCPT', (line: string) => (line.startsWith('RCPT') ? undefined : line === 'DATA' ? '354 go ahead' : '250 OK'), [{ stage: 'mail', from: 'probe@contoso.test' }, { stage: 'rcpt', to: 'user@demo.test' }], 'rcpt', 'C: RCPT TO:<user@demo.test>'],
    // The reply to the message answers the end of data, not a command the message starts with.
    ['<CRLF>.<CRLF>', (line: string) => (line === 'DATA' ? '354 go ahead' : line.startsWith('Subject') || line === '' || line === 'body' || line === '.' ? undefined : '250 OK'), [{ stage: 'data', message: 'Subject: hi\r\n\r\nbody' }], 'data', 'C: Subject: hi\r\n\r\nbody\r\n.'],
  ] as const)('no reply to %s: a timeout of its stage naming what was not answered, and no QUIT is sent', async (name, answer, more, stage, last) => {
    const server = await scripted(answer);
    const ctx = context(server.port, { stageTimeoutMs: 300 });
    const facts = await runSession(ctx, { ip: '127.0.0.1', servername: null, steps: [...upToEhlo, ...(more as readonly SessionStep[]), { stage: 'quit' }] });
    expect([facts.failure?.stage, facts.failure?.kind, facts.failure?.message, sent(ctx.transcript).at(-1)]).toEqual([stage, 'timeout', `no reply to ${name} within 300 ms`, last]);
  });

  it('a failed stage keeps the id and arguments of its detail', async () => {
    const server = await raw({ ehlo: ['PIPELINING'] });
    const facts = await runSession(context(server.port, { mode: 'encryption-only' }), { ip: '127.0.0.1', servername: null, steps: upToTls });
    expect([facts.stages[3]?.ok, facts.stages[3]?.detailId, facts.stages[3]?.detailArgs]).toEqual([false, 'smtp.starttls-not-offered', { mode: 'encryption-only' }]);
  });

  it('an explain step that rejects with undefined: an internal failure of that stage, said "undefined"', async () => {
    const server = await raw({ onStarttls: 'close' });
    const steps: SessionStep[] = [...upToEhlo, { stage: 'starttls' }, { stage: 'tls', explain: async () => Promise.reject(undefined) }];
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps });
    expect([facts.failure?.stage, facts.failure?.kind, facts.failure?.message]).toEqual(['tls', 'internal', 'undefined']);
  });

  it('STARTTLS with no EHLO step before it: not offered (nothing was read)', async () => {
    const server = await raw();
    const ctx = context(server.port);
    const facts = await runSession(ctx, { ip: '127.0.0.1', servername: null, steps: [{ stage: 'tcp' }, { stage: 'banner' }, { stage: 'starttls' }] });
    expect([facts.failure?.stage, facts.failure?.kind, sent(ctx.transcript)]).toEqual(['starttls', 'starttls-not-offered', []]);
  });

  it.each([
    ['EHLO', () => raw({ replies: { EHLO: '421 4.3.2 Shutting down' } }), 'ehlo', 'the server rejected EHLO: 421 4.3.2 Shutting down'],
    ['EHLO over TLS', () => tlsThen('421 4.3.2 Shutting down'), 'ehlo-tls', 'the server rejected EHLO: 421 4.3.2 Shutting down'],
  ] as const)('%s refused: a reply failure under its own stage name', async (_name, start, stage, message) => {
    const server = await start();
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: 'mx1.demo.test', steps: upToTls });
    expect([facts.failure?.stage, facts.failure?.kind, spoken(facts.failure?.toJSON())?.message, facts.stages.at(-1)?.name]).toEqual([stage, 'reply', message, stage]);
  });

  it('an unknown step (from JavaScript): an internal failure naming it, the connection closed', async () => {
    const server = await raw();
    const steps = [{ stage: 'tcp' }, { stage: 'bogus' }] as unknown as SessionStep[];
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps });
    expect([facts.failure?.stage, facts.failure?.kind, facts.failure?.message, facts.failure?.cause instanceof Error]).toEqual([
      'tcp',
      'internal',
      'Error: unknown session step {"stage":"bogus"}',
      true,
    ]);
  });

  it('a session that ends without QUIT closes its connection', async () => {
    const server = await raw();
    const facts = await runSession(context(server.port), { ip: '127.0.0.1', servername: null, steps: [{ stage: 'tcp' }, { stage: 'banner' }] });
    expect(facts.failure).toBeUndefined();
    const until = performance.now() + 2000;
    while (server.connections() > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(server.connections()).toBe(0);
  });

  describe('under opportunistic TLS', () => {
    it('STARTTLS refused (454): the fallback event, no failure, the session stops there (the default)', async () => {
      const server = await raw({ onStarttls: '454' });
      const facts = await runSession(context(server.port, { mode: 'opportunistic' }), { ip: '127.0.0.1', servername: null, steps: upToTls });
      expect([facts.failure, facts.events.map((e) => (e.kind === 'tls-fallback' ? [e.kind, e.failure.stage, e.failure.kind] : [e.kind])), facts.stages.map((s) => [s.name, s.ok])]).toEqual([
        undefined,
        [['tls-fallback', 'starttls', 'reply']],
        [['tcp', true], ['banner', true], ['ehlo', true], ['starttls', false]],
      ]);
    });

    it('envelope steps left and no fallback given: stop is the default, nothing is reconnected', async () => {
      const server = await raw({ onStarttls: 'close' });
      const ctx = context(server.port, { mode: 'opportunistic' });
      const facts = await runSession(ctx, { ip: '127.0.0.1', servername: null, steps: [...upToTls.slice(0, -1), { stage: 'mail', from: 'probe@contoso.test' }] });
      expect([facts.failure, facts.events.map((e) => e.kind), facts.stages.map((s) => [s.name, s.ok]), sent(ctx.transcript)]).toEqual([
        undefined,
        ['tls-fallback'],
        [['tcp', true], ['banner', true], ['ehlo', true], ['starttls', true], ['tls', false]],
        ['C: EHLO probe.demo.test', 'C: STARTTLS'],
      ]);
    });

    it('a failure before STARTTLS (the banner refused) is the session’s failure, no fallback', async () => {
      const server = await raw({ banner: '554 5.7.1 Go away' });
      const facts = await runSession(context(server.port, { mode: 'opportunistic' }), { ip: '127.0.0.1', servername: null, steps: upToTls });
      expect([facts.failure?.stage, facts.failure?.kind, facts.events]).toEqual(['banner', 'reply', []]);
    });

    it('cancelled during the handshake: cancelled, not a fallback', async () => {
      const cancel = new AbortController();
      const server = await tlsThen('', () => cancel.abort());
      const facts = await runSession(context(server.port, { mode: 'opportunistic', cancel: cancel.signal }), { ip: '127.0.0.1', servername: null, steps: upToTls, fallback: 'reconnect' });
      expect([facts.failure?.stage, facts.failure?.kind, facts.events]).toEqual(['tls', 'cancelled', []]);
    });
  });
});
