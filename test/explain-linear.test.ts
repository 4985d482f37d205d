/**
 * `probe explain` reads untrusted pastes: every pattern it runs must take time linear in
 * the paste (issue 16). Each hostile shape — a long run of one character, or of a short
 * unit, placed in every field a pattern looks at, filling the 64 KiB limit — must parse
 * within BOUND (20) times a normal trace reason padded to the same length with ordinary text,
 * measured in the same test: no wall-clock threshold, the machine is shared. A quadratic
 * pattern is 100× to 10,000× slower at this size, so the bound leaves room for noise.
 * Both are timed in this process's CPU time, not wall time: on a loaded machine a ~10 ms
 * parse is preempted where a ~1 ms baseline is not, and wall time made a linear 8× look
 * 42× (CI-like run with two CPU burners); a quadratic pattern costs the CPU all the same.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_PASTE_CHARS, parseReport } from '../src/explain/explain.js';
import { UsageError } from '../src/core/options.js';

/** For a run of one character (the shapes issue 16 names). */
const BOUND = 20;
/**
 * For a run of a short unit that ends a line or opens a field (`.\n`, `{ `): the parser
 * visits each such line or field once — linear, but each costs more than a character of
 * prose. A quadratic pattern is still 1,000× and more at this size.
 */
const UNIT_BOUND = 40;

const TRACE =
  'Reason: [{LED=450 4.4.317 Cannot connect to remote server [Message=451 5.7.3 STARTTLS is required to send mail] [LastAttemptedServerName=mail.contoso.com] [LastAttemptedIP=203.0.113.25:25] [SmtpSecurity=-2;-2] [XX1PR01MB0001.prod.protection.outlook.com 2026-03-07T18:46:06.378Z 08DB1DF24DB12D84]};{MSG=};{FQDN=mail.contoso.com};{IP=203.0.113.25};{LRT=3/7/2026 6:46:06 PM}]. OutboundProxyTargetIP: 203.0.113.25. OutboundProxyTargetHostName: mail.contoso.com';

/** The reason, then the rest of an NDR as a mail client wraps it, up to the limit. */
function padded(text: string): string {
  const line = 'Delivery has been delayed to these recipients or groups; no action is required.\n';
  return text + '\n' + line.repeat(Math.floor((MAX_PASTE_CHARS - text.length - 1) / line.length));
}

/** Where a run can sit: in every field a pattern reads, and around the code. */
const FRAMES: Record<string, { code: string; frame: (run: string) => string }> = {
  'after the status': { code: '4.4.316', frame: (r) => `450 4.4.316 Connection refused ${r}` },
  'before the status': { code: '4.4.316', frame: (r) => `${r} 450 4.4.316 Connection refused` },
  '[Message=…]': { code: '4.4.317', frame: (r) => `450 4.4.317 Cannot connect to remote server [Message=${r}] [LastAttemptedServerName=mail.contoso.com]` },
  'an open [Message=': { code: '4.4.317', frame: (r) => `450 4.4.317 Cannot connect to remote server [Message=${r}` },
  '[LastAttemptedServerName=': { code: '4.4.316', frame: (r) => `450 4.4.316 Connection refused [LastAttemptedServerName=${r}` },
  '[LastAttemptedIP=': { code: '4.4.316', frame: (r) => `450 4.4.316 Connection refused [LastAttemptedIP=${r}]` },
  'the LED': { code: '4.4.316', frame: (r) => `Reason: [{LED=450 4.4.316 Connection refused ${r}` },
  '{MSG=': { code: '4.4.316', frame: (r) => `Reason: [{LED=450 4.4.316 Connection refused};{MSG=${r}` },
  '{FQDN=': { code: '4.4.316', frame: (r) => `Reason: [{LED=450 4.4.316 Connection refused};{MSG=};{FQDN=${r}` },
  'OutboundProxyTargetHostName:': { code: '4.4.316', frame: (r) => `450 4.4.316 Connection refused OutboundProxyTargetHostName: ${r}` },
  'OutboundProxyTargetIP:': { code: '4.4.316', frame: (r) => `450 4.4.316 Connection refused OutboundProxyTargetIP: ${r}` },
  "the bounce's parenthesis": { code: '4.4.316', frame: (r) => `550 5.4.316 Message expired, connection refused(${r}` },
  // Issue 14's forms: the NDR, the chained bounce, on-premises queue text, the dotted status, quoted-printable.
  'the NDR\'s Server at … returned': { code: '4.4.316', frame: (r) => `Server at ${r} (203.0.113.25) returned '550 5.4.316 Message expired'` },
  'the NDR\'s address': { code: '4.4.316', frame: (r) => `Server at mail.contoso.com (${r}) returned '550 5.4.316 Message expired'` },
  'a chained bounce': { code: '4.4.318', frame: (r) => `550 5.4.300 Message expired -> ${r} -> 421 4.4.2 Connection dropped due to SocketError` },
  'an on-premises quoted reply': { code: '4.4.317', frame: (r) => `451 4.4.0 Primary target IP address responded with: "${r}` },
  'the last endpoint attempted': { code: '4.4.312', frame: (r) => `451 4.4.0 DNS query failed. The last endpoint attempted was ${r}` },
  'a Winsock error': { code: '4.4.315', frame: (r) => `Failed to connect. Winsock error code: ${r}` },
  'the dotted detail': { code: '4.4.317', frame: (r) => `450 4.4.317 Cannot connect to remote server. ${r}` },
  'quoted-printable': { code: '4.4.316', frame: (r) => `450 4.4.316 Connection refused [Message=3D${r}` },
  'a SubjectMismatch': { code: '4.4.317', frame: (r) => `450 4.4.317 Cannot connect to remote server [Message=SubjectMismatch Expected Subject: ${r}. Presented Subject: ${r}` },
};

/** The characters the issue names, and short units that make patterns restart. */
const RUNS = ['<', 'x', '.', '[', '{', ' ', '=', '0', '7', ']', '}', '*', ':', '(', '\n', '.\n', '1.\n', ' \n', '<a ', 'x.', '[ ', '{ ', '= ', '4.4.', '[Message=', '{MSG=', '"', '->', '=\n', '=3D', 'Server at '];

function fill(frame: (run: string) => string, unit: string): string {
  const runs = (frame('').length === frame('a').length - 1 ? 1 : 2) as 1 | 2;
  const room = MAX_PASTE_CHARS - frame('').length;
  return frame(unit.repeat(Math.floor(room / runs / unit.length)));
}

/** This process's CPU time in ms (user + system): time another process takes from it does not count. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The fastest of `runs` parses, in CPU ms: the least disturbed by other work on the machine. */
function fastest(text: string, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = cpuMs();
    try {
      parseReport(text);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
    }
    best = Math.min(best, cpuMs() - started);
  }
  return best;
}

const BASELINE = padded(TRACE);

const CASES = Object.entries(FRAMES).flatMap(([where, { code, frame }]) =>
  RUNS.map((unit) => ({ name: `${JSON.stringify(unit)} × 64 KiB in ${where}`, code, text: fill(frame, unit), bound: unit.length === 1 ? BOUND : UNIT_BOUND })),
);

describe('every pattern runs in linear time', () => {
  beforeAll(() => {
    fastest(BASELINE, 5); // warm up: compile the patterns and the parser
  });

  it('the baseline is a normal reason at the size limit', () => {
    expect(BASELINE.length).toBeLessThanOrEqual(MAX_PASTE_CHARS);
    expect(BASELINE.length).toBeGreaterThan(MAX_PASTE_CHARS - 100);
    expect(parseReport(BASELINE)).toMatchObject({ code: '4.4.317', server: 'mail.contoso.com', ip: '203.0.113.25', port: 25 });
  });

  it.each(CASES)('$name', ({ code, text, bound }) => {
    expect(text.length).toBeLessThanOrEqual(MAX_PASTE_CHARS);
    expect(text.length).toBeGreaterThan(MAX_PASTE_CHARS - 100);
    expect(parseReport(text).code).toBe(code);
    // Up to three measurements, each beside a fresh baseline: another process can stall
    // any one of them, but not make a linear parse look 20× slower three times running.
    const ratios: number[] = [];
    for (let attempt = 0; attempt < 3 && !ratios.some((r) => r <= bound); attempt++) {
      const baseline = fastest(BASELINE, 3);
      ratios.push(fastest(text, 3) / baseline);
    }
    expect(Math.min(...ratios)).toBeLessThanOrEqual(bound);
  });
});
