/**
 * Remote text is data (issue 16, items 1, 3 and 10): a banner, an EHLO reply, an error
 * reply, a certificate's subject, a connector's name and a file's content that carry
 * terminal escapes (a window title, a screen clear), CR, NUL and a bidi override reach no
 * output raw — probe text and transcript, check, history, verify text, Markdown and HTML,
 * explain, the fleet table and the error lines — and Markdown gets no link, raw HTML or
 * emphasis from them. And `verify --send-test` ends by its deadline against a relay that
 * drips its answer to the end of DATA.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { certSet, DEMO_NAMES, issueLeaf, smtpScript, startDns, startRaw, type DnsServer, type RawServer } from './fixtures/index.js';
import { startSlowRelay } from './fixtures/relay.js';
import { probe } from '../src/core/engine.js';
import { explain } from '../src/explain/explain.js';
import { renderExplain } from '../src/report/explain-text.js';
import { renderFleetTable } from '../src/report/fleet.js';
import { html, markdown, markdownCode, terminal, terminalSafe } from '../src/report/sanitize.js';
import { renderText } from '../src/report/text.js';
import { renderVerifyMarkdown, renderVerifyText } from '../src/report/verify-text.js';
import { renderVerifyHtml } from '../src/report/verify-html.js';
import { planConnector, plainConnector } from '../src/verify/connectors.js';
import { verify } from '../src/verify/run.js';
import { sendTestMessage } from '../src/verify/envelope.js';
import { progressDisplay } from '../src/verify/progress.js';
import { renderStatusPage } from '../src/exporter/status-page.js';

const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));

/** A window title (OSC 0 … BEL), a screen clear (CSI 2 J), CR, NUL and a right-to-left override. */
const INJECT = '\x1b]0;pwned\x07\x1b[2J\r\x00\u202egnp.exe';
/** What a terminal shows of it. */
const SHOWN = '\\x1b]0;pwned\\x07\\x1b[2J\\r\\x00\\u202egnp.exe';
/** Markup that must stay text in Markdown. */
const MARKUP = '<img src=x onerror=alert(1)> [click](http://127.0.0.1/x) *bold* _em_';

/** Raw controls (C0 but LF, DEL, C1) and the bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** No raw control: with colours on, only our own SGR sequences (`ESC [ n m`) may carry an ESC. */
function expectClean(text: string, opts: { color?: boolean } = {}): void {
  // eslint-disable-next-line no-control-regex
  const rest = opts.color ? text.replace(/\x1b\[[0-9]+m/g, '') : text;
  const bad = RAW.exec(rest);
  expect(bad ? `raw U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${bad.index}: ${JSON.stringify(rest.slice(Math.max(0, bad.index - 40), bad.index + 20))}` : null).toBeNull();
}

/** Markdown outside fenced code: no raw `<`, no `](` link, no unescaped `*` or `_` from remote text. */
function expectInertMarkdown(md: string): void {
  expectClean(md);
  const prose = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '');
  expect(prose).not.toContain('<');
  expect(prose).not.toContain('](');
  // our own bold is `**text**`; an unescaped single * or _ is remote emphasis
  expect(prose.replace(/\*\*/g, '')).not.toMatch(/(^|[^\\])[*_]/m);
  expect(prose).toContain('&lt;img src=x onerror=alert\\(1\\)&gt; \\[click\\]\\(http\\:');
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(args: string[], opts: { timeout?: number; input?: string } = {}): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '' }, timeout: opts.timeout ?? 30_000, cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr, ms: performance.now() - started });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

let dns: DnsServer;
let dir: string;
let caFile: string;
/** Healthy, but its banner, EHLO reply, certificate subject and RCPT refusal are hostile. */
let evil: RawServer;
/** Refuses STARTTLS with a hostile 454: a failing probe whose diagnosis quotes the server. */
let refusing: RawServer;

beforeAll(async () => {
  dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } });
  dir = mkdtempSync(join(tmpdir(), 'mfp-hostile-text-'));
  caFile = join(dir, 'root.pem');
  writeFileSync(caFile, certSet().root.cert);
  // node-forge takes a binary string: the CN's bytes are the UTF-8 of INJECT
  const leaf = issueLeaf(certSet().intermediate, { commonName: Buffer.from(`mx1.demo.test ${INJECT}`).toString('latin1'), dnsNames: [...DEMO_NAMES] });
  evil = await startRaw(
    smtpScript({
      banner: `220 mx1.demo.test ESMTP ${INJECT} ${MARKUP}`,
      ehlo: [`PIPELINING ${INJECT}`, '8BITMIME', 'STARTTLS'],
      tls: leaf,
      replies: { RCPT: `550 5.1.1 ${INJECT} ${MARKUP}` },
    }),
  );
  refusing = await startRaw(smtpScript({ banner: `220 mx1.demo.test ${INJECT}`, replies: { STARTTLS: `454 4.7.0 ${INJECT} ${MARKUP}` } }));
});
afterAll(async () => {
  await Promise.all([dns?.close(), evil?.close(), refusing?.close()]);
});

const common = (port: number): string[] => ['--resolver', dns.address, '--port', String(port), '--ca-file', caFile, '--ehlo-name', 'probe.demo.test', '--timeout', '2000'];
const libOptions = (port: number) => ({ resolvers: [dns.address], port, ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 2000 });

describe('the sanitiser', () => {
  it('terminal: every control but LF escaped, bidi controls too; idempotent', () => {
    expect(terminal(INJECT)).toBe(SHOWN);
    expect(terminal('a\tb\nc\x7f\x85\u2066\u2069\u200f')).toBe('a\\tb\nc\\x7f\\x85\\u2066\\u2069\\u200f');
    expect(terminal('a\nb', { newlines: false })).toBe('a\\nb');
    expect(terminal(terminal(INJECT))).toBe(SHOWN);
    expect(terminal('mx1.contoso.com 250-STARTTLS ✓ é')).toBe('mx1.contoso.com 250-STARTTLS ✓ é');
  });

  it('terminalSafe: every string at any depth, other values untouched', () => {
    const date = new Date(0);
    expect(terminalSafe({ a: [INJECT, 1, null, { b: INJECT }], c: true, d: date })).toEqual({ a: [SHOWN, 1, null, { b: SHOWN }], c: true, d: date });
  });

  it('markdown: no link, image, HTML, emphasis, cell break or line break; controls escaped', () => {
    expect(markdown('[x](http://a.b) ![i](y) <b>&amp; *s* _u_ `c` a|b # h\r\nnext')).toBe(
      '\\[x\\]\\(http\\://a\\.b\\) \\!\\[i\\]\\(y\\) &lt;b&gt;&amp;amp; \\*s\\* \\_u\\_ \\`c\\` a\\|b \\# h next',
    );
    expect(markdown(INJECT)).toBe('\\\\x1b\\]0;pwned\\\\x07\\\\x1b\\[2J \\\\x00\\\\u202egnp\\.exe');
    expect(markdownCode("Set-X -Identity 'a``b\x1b\nc'")).toEqual({ code: "Set-X -Identity 'a``b\\x1b\\nc'", fence: '```' });
    expect(markdownCode('````').fence).toBe('`````');
  });

  it('html: entities and escaped controls', () => {
    expect(html(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(html(INJECT)).toBe(SHOWN);
    expect(html(null)).toBe('');
  });
});

describe('probe: text and transcript', () => {
  it('the banner, EHLO reply and certificate subject are shown escaped, colours off and on', async () => {
    const r = await run(['mx1.demo.test', '--transcript', ...common(evil.port)]);
    expect(r.code).toBe(0);
    expectClean(r.stdout);
    // OpenSSL escapes the subject's C0 bytes itself (\\1B); the UTF-8 of U+202E read as
    // Latin-1 leaves a C1 byte (0x80), which is ours to escape
    expect(r.stdout).toContain('CN=mx1.demo.test \\1B]0\\;pwned\\07\\1B[2J\\0D\\00â\\x80®gnp.exe');
    expect(r.stdout).toContain(`220 mx1.demo.test ESMTP ${SHOWN} <img`);
    expect(r.stdout).toContain(`PIPELINING ${SHOWN}`);

    const result = await probe(['mx1.demo.test'], libOptions(evil.port));
    expect(result.verdict).toBe('healthy');
    for (const color of [false, true]) {
      const text = renderText(result, { color, transcript: true });
      expectClean(text, { color });
      expect(text).toContain(SHOWN);
      if (color) expect(text).toContain('\x1b[32m'); // our own colour survives
    }
  });

  it('a refusal quoted in the diagnosis and the Exchange-style line is shown escaped', async () => {
    const r = await run(['mx1.demo.test', ...common(refusing.port)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Diagnosis: 450 4.4.317');
    expectClean(r.stdout);
    expect(r.stdout).toContain(`454 4.7.0 ${SHOWN}`);
    const result = await probe(['mx1.demo.test'], libOptions(refusing.port));
    expectClean(renderText(result, { color: true }), { color: true });
  });
});

describe('explain', () => {
  it('the pasted Detail is shown escaped (colours off and on, CLI and renderer)', async () => {
    const paste = `450 4.4.317 Cannot connect to remote server [Message=454 4.7.0 ${INJECT}] [LastAttemptedServerName=mx1.demo.test] [LastAttemptedIP=127.0.0.1:25]`;
    const r = await run(['explain', '--offline', '-'], { input: paste });
    expect(r.code).toBe(0);
    expectClean(r.stdout);
    expect(r.stdout).toContain('\\x1b]0;pwned');
    const result = await explain(paste, { ...libOptions(refusing.port), server: 'mx1.demo.test' });
    for (const color of [false, true]) expectClean(renderExplain(result, { color }), { color });
  });
});

describe('verify: text, Markdown, HTML', () => {
  const exportFile = (): string => {
    const file = join(dir, 'connectors.json');
    writeFileSync(
      file,
      JSON.stringify([
        { Name: `Evil ${INJECT} ${MARKUP}`, Enabled: true, ConnectorType: 'Partner', UseMXRecord: false, SmartHosts: ['mx1.demo.test'], TlsSettings: 'CertificateValidation' },
      ]),
    );
    return file;
  };

  it('the connector name, the server replies and the certificate are escaped for each output', async () => {
    const file = exportFile();
    const report = join(dir, 'report.html');
    const text = await run(['verify', '--connectors', file, '--rcpt-test', 'probe@contoso.test,user@demo.test', '--report', report, ...common(evil.port)]);
    expect(text.code).toBe(2);
    expectClean(text.stdout);
    expect(text.stdout).toContain(`Evil ${SHOWN}`);
    expect(text.stdout.replace(/\s+/g, ' ')).toContain(`550 5.1.1 ${SHOWN}`);
    const page = readFileSync(report, 'utf8');
    expectClean(page);
    expect(page).not.toContain('<img');
    expect(page).toContain(`550 5.1.1 ${SHOWN} &lt;img`);

    const md = await run(['verify', '--connectors', file, '--rcpt-test', 'probe@contoso.test,user@demo.test', '--markdown', ...common(evil.port)]);
    expect(md.code).toBe(2);
    expectInertMarkdown(md.stdout);
    expect(md.stdout).toContain('550 5\\.1\\.1 \\\\x1b\\]0;pwned');
  });

  it('renderers, colours off and on, and the Set-OutboundConnector line in Markdown', async () => {
    const connector = { ...plainConnector(['mx1.demo.test'], 'certificate-validation', null), name: `Evil ${INJECT} ${MARKUP}`, identity: `Evil ${INJECT} ${MARKUP}` };
    const report = await verify([planConnector(connector, [])], { ...libOptions(evil.port), validationCommand: true, rcptTest: { from: 'probe@contoso.test', to: 'user@demo.test' } });
    for (const color of [false, true]) expectClean(renderVerifyText(report, { color }), { color });
    expectInertMarkdown(renderVerifyMarkdown(report));
    const page = renderVerifyHtml(report);
    expectClean(page);
    expect(page).not.toContain('<img');
  });
});

describe('the other places a name is shown', () => {
  it("verify's progress line on a terminal: only our own CR and erase-line", () => {
    const written: string[] = [];
    const progress = progressDisplay({ isTTY: true, columns: 200, write: (text: string) => written.push(text) });
    progress.onProgress({ type: 'start', index: 1, total: 1, name: `Evil ${INJECT}`, targets: [`mx1.demo.test${INJECT}`] });
    progress.onProgress({ type: 'done', index: 1, total: 1, name: `Evil ${INJECT}`, verdict: 'fail' });
    progress.end();
    expect(written).toHaveLength(3);
    for (const line of written) {
      expect(line.startsWith('\r\x1b[2K')).toBe(true);
      expectClean(line.slice('\r\x1b[2K'.length));
    }
    expect(written[1]).toBe(`\r\x1b[2K[1/1] Evil ${SHOWN}: FAIL`);
  });

  it("the exporter's status page: names and statuses as HTML text", () => {
    const page = renderStatusPage(
      [{ name: `evil ${INJECT} <script>alert(1)</script>`, targets: [`mx1.demo.test ${INJECT}`], history: [{ at: 0, verdict: 'failing', code: '4.4.317', status: `454 4.7.0 ${INJECT} <b>`, durationMs: 5 }] }],
      { source: `file ${INJECT}` },
    );
    expectClean(page);
    expect(page).not.toContain('<script>alert');
    expect(page).toContain(`<td class="name">evil ${SHOWN} &lt;script&gt;alert(1)&lt;/script&gt;</td>`);
  });
});

describe('scheduled checks: check and history', () => {
  it('a target name with controls from the config is escaped', async () => {
    const config = join(dir, 'checks.json');
    writeFileSync(
      config,
      JSON.stringify({
        database: 'checks.db',
        confirm: { retries: 1, minDelay: '0s' },
        defaults: { resolvers: [dns.address], caFile: 'root.pem', ehloName: 'probe.demo.test', timeoutMs: 2000, port: refusing.port },
        targets: [{ name: `onprem ${INJECT}`, host: 'mx1.demo.test' }],
      }),
    );
    const check = await run(['check', '--config', config]);
    expect(check.code).toBe(2);
    expectClean(check.stdout + check.stderr);
    expect(check.stdout).toContain(`onprem ${SHOWN}: failing`);
    const history = await run(['history', '--config', config]);
    expect(history.code).toBe(0);
    expectClean(history.stdout + history.stderr);
    expect(history.stdout).toContain(`onprem ${SHOWN}: failing`);
  });
});

describe('fleet table', () => {
  it('a name with controls is escaped, the columns still aligned; the targets file refuses one in one clean line', async () => {
    const file = join(dir, 'targets.txt');
    writeFileSync(file, `mx1.demo.test name=evil${INJECT.replace(/[\r\s]/g, '')} port=${refusing.port}\n`);
    const r = await run(['--targets', file, '--resolver', dns.address, '--ca-file', caFile, '--ehlo-name', 'probe.demo.test', '--timeout', '2000']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expectClean(r.stderr);
    expect(r.stderr).toBe(`probe: ${file}:1: invalid name "evil\\x1b]0;pwned\\x07\\x1b[2J\\x00\\u202egnp.exe": letters, digits and . _ : @ / + - only, at most 128\n`);

    const result = await probe(['mx1.demo.test'], libOptions(refusing.port));
    const table = renderFleetTable([
      { name: `evil ${INJECT}`, index: 0, result },
      { name: 'plain', index: 1, result },
    ] as never);
    expectClean(table);
    expect(table).toContain('evil \\x1b]0;pwned\\x07\\x1b[2J\\r');
    const [head, row, plain] = table.split('\n');
    expect(row!.indexOf('failing')).toBe(head!.indexOf('VERDICT'));
    expect(plain!.indexOf('failing')).toBe(head!.indexOf('VERDICT'));
  });
});

describe('error lines', () => {
  it('a bad target with controls: one line, escaped, exit 3', async () => {
    const r = await run([`mx1.demo.test\x1b]0;pwned\x07\x1b[2J\u202e`, ...common(evil.port)]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expectClean(r.stderr);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^probe: invalid target /);
  });

  it('an unknown option with controls (commander\'s message) is escaped', async () => {
    const r = await run([`--x\x1b[2J\u202e`, 'mx1.demo.test']);
    expect(r.code).toBe(3);
    expectClean(r.stderr);
    expect(r.stderr).toContain('\\x1b[2J\\u202e');
  });

  it('an unknown target in a config with controls is escaped', async () => {
    const config = join(dir, 'checks2.json');
    writeFileSync(config, JSON.stringify({ database: 'checks2.db', targets: [{ name: `a${INJECT}`, host: 'mx1.demo.test' }] }));
    const r = await run(['check', '--config', config, '--target', `b\x1b[2J\u202e`]);
    expect(r.code).toBe(3);
    expectClean(r.stderr);
    expect(r.stderr).toMatch(/^probe: unknown target "b\\x1b\[2J\\u202e": the config names "a\\x1b\]0;pwned/);
  });
});

/**
 * Speaks SMTP normally until the end of DATA, then drips its 250 one byte every 400 ms,
 * well inside the 1000 ms stage timeout: every byte restarts nodemailer's idle timer, so
 * only a wall-clock deadline ends the send.
 */
function drippingRelay(): ReturnType<typeof startSlowRelay> {
  return startSlowRelay('drip-after-data', { name: 'mx1.demo.test', dripMs: 400, reply: `250 2.0.0 Ok: queued as ABCDEF${'.'.repeat(200)}\r\n` });
}

describe('verify --send-test against a dripping relay', () => {
  it('sendTestMessage: the wall-clock limit ends the send at the end of DATA and destroys the connection', async () => {
    const relay = await drippingRelay();
    onTestFinished(() => relay.close());
    const target = { host: 'mx1.demo.test', ip: '127.0.0.1', port: relay.port, tls: { mode: 'opportunistic' as const, domain: null, ca: [] }, ehloName: 'probe.demo.test', timeoutMs: 1000 };
    const started = performance.now();
    const outcome = await sendTestMessage(target, { from: 'probe@contoso.test', to: 'user@demo.test' }, 'drip', { totalMs: 1500 });
    const ms = performance.now() - started;
    expect(outcome).toMatchObject({ ok: false, step: 'data', reply: null, queueId: null, detail: 'not sent: no complete answer within the deadline (1500 ms)' });
    // the abort is one timer: it lands within the grace the project holds every deadline to
    expect(ms).toBeGreaterThanOrEqual(1500 - 5);
    expect(ms).toBeLessThan(1500 + 250);
    await expect.poll(() => relay.connections(), { timeout: 1000 }).toBe(0);
  });


  it('ends by --deadline (plus the overhead of the same run without the send, measured here)', async () => {
    const relay = await drippingRelay();
    onTestFinished(() => relay.close());
    const args = ['verify', 'mx1.demo.test', '--tls-mode', 'opportunistic', '--resolver', dns.address, '--port', String(relay.port), '--ehlo-name', 'probe.demo.test', '--timeout', '1000', '--deadline', '3000'];
    // The same run with the recipient test instead: process start, probe, one envelope.
    const baseline = await run([...args, '--rcpt-test', 'probe@contoso.test,user@demo.test'], { timeout: 15_000 });
    expect(baseline.stdout).toMatch(/^ {2}✓ Accepts a recipient \(MAIL FROM \/ RCPT TO \/ RSET\)/m);
    const r = await run([...args, '--send-test', 'probe@contoso.test,user@demo.test', '--json'], { timeout: 15_000 });
    expect(r.code).not.toBe(-1);
    expect(r.ms).toBeLessThan(3000 + baseline.ms + 500);
    const report = JSON.parse(r.stdout);
    expect(report.connectors[0].sendTest).toMatchObject({ ok: false, step: 'data', queueId: null });
    expect(report.connectors[0].sendTest.detail).toMatch(/^not sent: no complete answer within the deadline \(\d+ ms\)$/);
    expect(relay.connections()).toBe(0);
  }, 40_000);
});
