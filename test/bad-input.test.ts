/**
 * Bad input, wherever it enters — the library's probe() and the `probe` command: a
 * one-line error naming the value (UsageError; exit 3), and nothing sent: the loopback
 * DNS server gets no query and the SMTP server no connection.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDns, startRaw, hostile, type DnsServer, type RawServer } from './fixtures/index.js';
import { probe } from '../src/core/engine.js';
import { parseEhloName, parseResolver, parseTarget, parseTlsDomain, quote, UsageError, type ProbeOptions } from '../src/core/options.js';

const BIN = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));

let dns: DnsServer;
let smtp: RawServer;
let accepted = 0;

beforeAll(async () => {
  dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } });
  const handler = hostile({ kind: 'healthy' });
  smtp = await startRaw((socket) => {
    accepted++;
    handler(socket);
  });
});
afterAll(async () => {
  await smtp.close();
  await dns.close();
});
beforeEach(() => {
  dns.queries.length = 0;
  accepted = 0;
});

/** Nothing left this process: no DNS question, no TCP connection. */
function nothingSent(): void {
  expect(dns.queries).toEqual([]);
  expect(accepted).toBe(0);
}

describe('probe() rejects bad input before it sends anything', () => {
  const good = (): ProbeOptions => ({ port: smtp.port, resolvers: [dns.address], ehloName: 'probe.demo.test' });

  it.each<[string, unknown, Record<string, unknown>, RegExp]>([
    ['a host name with a bad label', 'bad_host.demo.test', {}, /^invalid target "bad_host\.demo\.test": has an invalid label "bad_host"/],
    ['a label over 63 characters', `${'a'.repeat(64)}.demo.test`, {}, /longer than 63/],
    ['a name over 253 characters', `${'abcdefghi.'.repeat(26)}test`, {}, /longer than 253/],
    ['invalid IDNA', 'xn--zz.demo.test', {}, /must be valid IDNA/],
    ['an A-label that decodes to ASCII', 'xn--abc-.demo.test', {}, /^invalid target "xn--abc-\.demo\.test": is not a valid host name \(international names must be valid IDNA\)/],
    ['a zero-width joiner', 'a\u200d.demo.test', {}, /must be valid IDNA/],
    ['CR/LF in a name', 'mx1.demo.test\r\nRCPT TO:<x>', {}, /^invalid target "mx1\.demo\.test\\r\\nRCPT TO:<x>": contains a character/],
    ['a port glued to the name', 'mx1.demo.test:25', {}, /port with --port/],
    ['a bracketed v6 with a port', '[::1]:25', {}, /port with --port/],
    ['a bracketed name', '[mx1.demo.test]', {}, /not an IPv6 address inside the brackets/],
    ['a v6 zone index', 'fe80::1%eth0', {}, /zone index/],
    ['an IPv4 address out of range', '256.1.1.1', {}, /neither an IP address nor a host name/],
    ['a short IPv4 form', '127.1', {}, /neither an IP address nor a host name/],
    ['a number, not a string', 25, {}, /^invalid targets "25": give a host name/],
    ['null', null, {}, /^invalid targets "null"/],
    ['a list with a non-string', ['mx1.demo.test', 7], {}, /^invalid targets "7"/],
    ['no target', [], {}, /^no target given/],
    ['options that are not an object', 'mx1.demo.test', 'fast' as unknown as Record<string, unknown>, /^invalid options "fast": must be an object/],
    ['port 0', 'mx1.demo.test', { port: 0 }, /^invalid port "0"/],
    ['port 65536', 'mx1.demo.test', { port: 65536 }, /^invalid port "65536"/],
    ['a fractional port', 'mx1.demo.test', { port: 25.5 }, /^invalid port "25.5"/],
    ['a port as a word', 'mx1.demo.test', { port: 'smtp' }, /^invalid port "smtp"/],
    ['a resolver by name', 'mx1.demo.test', { resolvers: ['dns.demo.test'] }, /^invalid resolver "dns\.demo\.test": must be an IP address/],
    ['a resolver with a bad port', 'mx1.demo.test', { resolvers: ['127.0.0.1:0'] }, /^invalid resolver port in "127\.0\.0\.1:0" "0"/],
    ['a bracketed resolver left open', 'mx1.demo.test', { resolvers: ['[::1'] }, /^invalid resolver "\[::1"/],
    ['resolvers as one string', 'mx1.demo.test', { resolvers: '127.0.0.1' }, /^invalid resolvers "127\.0\.0\.1": must be a list of strings/],
    ['a wildcard inside a label', 'mx1.demo.test', { tlsDomain: 'mx*.demo.test' }, /^invalid TLS domain "mx\*\.demo\.test": a wildcard must be the whole first label/],
    ['a wildcard over a TLD', 'mx1.demo.test', { tlsDomain: '*.test' }, /at least two labels after it/],
    ['two wildcards', 'mx1.demo.test', { tlsDomain: '*.*.demo.test' }, /whole first label/],
    ['a TLS domain with another mode', 'mx1.demo.test', { tlsDomain: 'mx1.demo.test', tlsMode: 'encryption-only' }, /applies only to TLS mode domain-validation/],
    ['an unknown TLS mode', 'mx1.demo.test', { tlsMode: 'strict' }, /^invalid TLS mode "strict": must be one of/],
    ['an EHLO name with CRLF', 'mx1.demo.test', { ehloName: 'probe\r\nMAIL FROM:<a@b>' }, /^invalid EHLO name "probe\\r\\nMAIL FROM:<a@b>"/],
    ['an EHLO name with a space', 'mx1.demo.test', { ehloName: 'probe demo' }, /^invalid EHLO name "probe demo"/],
    ['an EHLO name that is a number', 'mx1.demo.test', { ehloName: 42 }, /^invalid ehloName "42": must be a string/],
    ['a zero timeout', 'mx1.demo.test', { timeoutMs: 0 }, /^invalid timeout \(ms\) "0"/],
    ['an infinite timeout', 'mx1.demo.test', { timeoutMs: Infinity }, /^invalid timeout \(ms\) "Infinity"/],
    ['NaN as a deadline', 'mx1.demo.test', { deadlineMs: Number.NaN }, /^invalid deadline \(ms\) "NaN"/],
    ['a deadline with a unit', 'mx1.demo.test', { deadlineMs: '10s' }, /^invalid deadline \(ms\) "10s"/],
    ['a deadline over an hour', 'mx1.demo.test', { deadlineMs: 3_600_001 }, /^invalid deadline \(ms\) "3600001"/],
    ['concurrency 0', 'mx1.demo.test', { concurrency: 0 }, /^invalid concurrency "0"/],
    ['mx as a string', 'mx1.demo.test', { mx: 'no' }, /^invalid mx "no": must be a boolean/],
    ['a CA that is not PEM', 'mx1.demo.test', { ca: ['hello'] }, /no PEM certificate/],
    ['a signal that is not one', 'mx1.demo.test', { signal: { aborted: false } }, /^invalid signal "\[object Object\]": must be an AbortSignal/],
    ['a CA given as files (the CLI\'s spelling)', 'mx1.demo.test', { caFile: ['root.pem'] }, /^unknown option "caFile": did you mean "ca"\?$/],
    ['a timeout without its unit', 'mx1.demo.test', { timeout: 5000 }, /^unknown option "timeout": did you mean "timeoutMs"\?$/],
    ['a revocation mode that is not one', 'mx1.demo.test', { revocation: 'strict' }, /^invalid revocation mode "strict": must be one of off, soft, hard$/],
    ['policies as a string', 'mx1.demo.test', { policies: 'yes' }, /^invalid policies "yes": must be a boolean$/],
  ])('%s', async (_what, targets, extra, message) => {
    const opts = typeof extra === 'object' ? { ...good(), ...(extra as ProbeOptions) } : (extra as ProbeOptions);
    const error = await probe(targets as string, opts).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/\n/);
    nothingSent();
  });

  it('a very long value is shown cut, still on one line', async () => {
    const error = await probe(`${'x'.repeat(5000)}_`, good()).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message.length).toBeLessThan(200);
    nothingSent();
  });

  it('the good options above do reach the servers (the checks can fail)', async () => {
    const result = await probe('mx1.demo.test', { ...good(), tlsMode: 'encryption-only', timeoutMs: 2000 });
    expect(result.verdict).toBe('healthy');
    expect(dns.queries.length).toBeGreaterThan(0);
    expect(accepted).toBe(1);
  });
});

describe('accepted input', () => {
  it.each([
    ['[::1]', '::1'],
    ['[2001:DB8::25]', '2001:db8::25'],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1'],
    ['MX1.Demo.Test.', 'mx1.demo.test'],
    ['ｍｘ１.demo.test', 'mx1.demo.test'], // full-width forms map to ASCII (UTS #46)
    ['mail.bücher.example', 'mail.xn--bcher-kva.example'],
    ['MAIL.XN--BCHER-KVA.example', 'mail.xn--bcher-kva.example'], // an A-label as given
  ])('target %s → %s', (input, expected) => {
    expect(parseTarget(input)).toBe(expected);
  });

  it.each([
    ['[::1]:5353', { host: '::1', port: 5353 }],
    ['::1', { host: '::1', port: 53 }],
    [' 127.0.0.1:53 ', { host: '127.0.0.1', port: 53 }],
  ])('resolver %s', (input, expected) => {
    expect(parseResolver(input)).toEqual(expected);
  });

  it.each([
    ['*.Bücher.example', '*.xn--bcher-kva.example'],
    ['*.contoso.com', '*.contoso.com'],
  ])('TLS domain %s → %s', (input, expected) => {
    expect(parseTlsDomain(input)).toBe(expected);
  });

  it.each([
    ['[IPv6:2001:db8::1]', '[IPv6:2001:db8::1]'],
    ['Probe.Bücher.example', 'probe.xn--bcher-kva.example'],
  ])('EHLO name %s → %s', (input, expected) => {
    expect(parseEhloName(input)).toBe(expected);
  });

  it('quote escapes control characters and cuts long values', () => {
    expect(quote('a\r\nb')).toBe('"a\\r\\nb"');
    expect(quote('y'.repeat(100))).toBe(`"${'y'.repeat(80)}…"`);
  });
});

/** Runs the built CLI; resolves with its exit code and output. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the probe command: exit 3, one line on stderr naming the value, nothing sent', () => {
  // Every run points at the loopback servers, so a check that let a value through would show.
  const base = (): string[] => ['--resolver', dns.address, '--port', String(smtp.port), '--ehlo-name', 'probe.demo.test'];

  it.each<[string, string[], string]>([
    ['a bad host name', ['bad_host.demo.test'], 'invalid target "bad_host.demo.test"'],
    ['CR/LF in a target', ['mx1.demo.test\r\nQUIT'], 'invalid target "mx1.demo.test\\r\\nQUIT"'],
    ['a host:port target', ['mx1.demo.test:25'], 'invalid target "mx1.demo.test:25"'],
    ['invalid IDNA', ['xn--zz.demo.test'], 'invalid target "xn--zz.demo.test"'],
    ['a bad port', ['--port', '70000', 'mx1.demo.test'], 'invalid port "70000"'],
    ['a resolver by name', ['--resolver', 'ns.demo.test', 'mx1.demo.test'], 'invalid resolver "ns.demo.test"'],
    ['a bad TLS domain', ['--tls-domain', 'mx*.demo.test', 'mx1.demo.test'], 'invalid TLS domain "mx*.demo.test"'],
    ['an unknown TLS mode', ['--tls-mode', 'strict', 'mx1.demo.test'], "argument 'strict' is invalid"],
    ['an EHLO name with a space', ['--ehlo-name', 'two words', 'mx1.demo.test'], 'invalid EHLO name "two words"'],
    ['an EHLO name with LF', ['--ehlo-name', 'a\nb', 'mx1.demo.test'], 'invalid EHLO name "a\\nb"'],
    ['a timeout with a unit', ['--timeout', '5s', 'mx1.demo.test'], 'invalid timeout (ms) "5s"'],
    ['a negative deadline', ['--deadline', '-1', 'mx1.demo.test'], 'invalid deadline (ms) "-1"'],
    ['concurrency 0', ['--concurrency', '0', 'mx1.demo.test'], 'invalid concurrency "0"'],
    ['a CA file that is missing', ['--ca-file', '/nonexistent/ca.pem', 'mx1.demo.test'], 'cannot read CA file "/nonexistent/ca.pem"'],
    ['an unknown option', ['--prot', '25', 'mx1.demo.test'], "unknown option '--prot' (Did you mean --port?)"],
    ['no target', [], 'no target given'],
    // The other commands take the same options, with the same checks (one schema).
    ['verify: an unknown TLS mode', ['verify', '--tls-mode', 'strict', 'mx1.demo.test'], "argument 'strict' is invalid"],
    ['verify: warn days beyond the bound', ['verify', '--warn-days', '3651', 'mx1.demo.test'], 'invalid warn days "3651": must be a whole number from 0 to 3650'],
    ['serve: an unknown revocation mode', ['serve', '--revocation', 'strict', '--allow-any-target'], "argument 'strict' is invalid"],
    ['serve: a zero timeout', ['serve', '--timeout', '0', '--allow-any-target', '--listen', '127.0.0.1:0'], 'invalid timeout (ms) "0"'],
  ])('%s', async (_what, args, names) => {
    const { code, stdout, stderr } = await cli([...base(), ...args]);
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^probe: /);
    expect(stderr).toContain(names);
    nothingSent();
  });

  it('the same command with good values does probe (exit 0)', async () => {
    const { code, stderr } = await cli([...base(), '--tls-mode', 'encryption-only', 'mx1.demo.test']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(accepted).toBe(1);
  });
});
