/**
 * The state machine on its own: which observation sequences cause which alerts.
 * (test/monitor.test.ts drives the same through real probes and a real database.)
 */
import { describe, expect, it } from 'vitest';
import { advance, initialState, type AlertEvent, type AlertPolicy, type Observation, type TargetState } from '../src/scheduled/alert-state.js';
import { alertLines, alertSubject, genericPayload, slackPayload, teamsPayload } from '../src/scheduled/alerts/format.js';
import { countdown, countdownText } from '../src/scheduled/countdown.js';
import type { Verdict } from '../src/core/result.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-27T07:00:00.000Z');
const policy: AlertPolicy = { queueLifetimeMs: 24 * H, escalateBeforeMs: [20 * H, 12 * H, H], reminderEveryMs: 4 * H, flapping: { changes: 4, windowMs: H } };

function obs(verdict: Verdict, atMs: number): Observation {
  const failing = verdict === 'failing';
  return {
    at: new Date(atMs),
    verdict,
    code: failing ? '4.4.316' : null,
    status: failing ? '450 4.4.316 Connection refused' : null,
    stage: failing ? 'tcp' : null,
    summary: failing ? 'mx1.demo.test refused the connection' : null,
    firstFix: failing ? 'Allow Microsoft 365 on TCP 25.' : null,
    warnings: verdict === 'degraded' ? ['certificate expires in 5 days'] : [],
  };
}

/** Runs a sequence of [verdict, ms after T0]; returns every alert. */
function run(seq: [Verdict, number][], p: AlertPolicy = policy): { alerts: AlertEvent[]; state: TargetState } {
  let state = initialState('t');
  const alerts: AlertEvent[] = [];
  for (const [v, at] of seq) {
    const step = advance(state, obs(v, T0 + at), p);
    state = step.next;
    alerts.push(...step.alerts);
  }
  return { alerts, state };
}

const kinds = (alerts: AlertEvent[]): string[] => alerts.map((a) => `${a.kind}@${(Date.parse(a.at) - T0) / 60_000}m`);

describe('advance', () => {
  it('a first check that passes says nothing; one that fails alerts at once', () => {
    expect(run([['healthy', 0]]).alerts).toEqual([]);
    expect(kinds(run([['failing', 0]]).alerts)).toEqual(['failing@0m']);
  });

  it('healthy → degraded → failing → recovered, once each, and nothing while unchanged', () => {
    const { alerts } = run([
      ['healthy', 0],
      ['healthy', 5 * 60_000],
      ['degraded', 10 * 60_000],
      ['degraded', 15 * 60_000],
      ['failing', 70 * 60_000],
      ['failing', 75 * 60_000],
      ['healthy', 130 * 60_000],
      ['healthy', 135 * 60_000],
    ]);
    expect(kinds(alerts)).toEqual(['degraded@10m', 'failing@70m', 'recovered@130m']);
    expect(alerts[2]).toMatchObject({ state: 'healthy', previous: 'failing', outageMs: H });
  });

  it('degraded → healthy is a recovery too, without an outage length', () => {
    const { alerts } = run([
      ['healthy', 0],
      ['degraded', 5 * 60_000],
      ['degraded', 10 * 60_000],
      ['healthy', 15 * 60_000],
      ['healthy', 20 * 60_000],
    ]);
    expect(kinds(alerts)).toEqual(['degraded@5m', 'recovered@15m']);
    expect(alerts[1]).toMatchObject({ state: 'healthy', previous: 'degraded', failingSince: null, bounceAt: null });
    expect(alerts[1]?.outageMs).toBeUndefined();
  });

  it('30 hours of failure: escalations at 20 h, 12 h and 1 h before the bounce, the bounce, reminders in the quiet gaps', () => {
    const seq: [Verdict, number][] = [];
    for (let t = 0; t < 30 * H; t += 5 * 60_000) seq.push(['failing', t]);
    seq.push(['healthy', 30 * H]);
    const { alerts } = run(seq);
    expect(kinds(alerts)).toEqual([
      'failing@0m',
      'escalation@240m',
      'reminder@480m',
      'escalation@720m',
      'reminder@960m',
      'reminder@1200m',
      'escalation@1380m',
      'bouncing@1440m',
      'reminder@1680m',
      'recovered@1800m',
    ]);
    expect(alerts.filter((a) => a.kind === 'escalation').map((a) => a.thresholdMs)).toEqual([20 * H, 12 * H, H]);
    expect(new Set(alerts.slice(0, -1).map((a) => a.bounceAt))).toEqual(new Set(['2026-11-28T07:00:00.000Z']));
  });

  it('a queue lifetime of 48 h moves the bounce and the escalations', () => {
    const seq: [Verdict, number][] = [];
    for (let t = 0; t <= 48 * H; t += 30 * 60_000) seq.push(['failing', t]);
    const { alerts } = run(seq, { ...policy, queueLifetimeMs: 48 * H, reminderEveryMs: null });
    expect(kinds(alerts)).toEqual(['failing@0m', 'escalation@1680m', 'escalation@2160m', 'escalation@2820m', 'bouncing@2880m']);
    expect(alerts[0]!.bounceAt).toBe('2026-11-29T07:00:00.000Z');
  });

  it('after a long gap between checks, the thresholds passed meanwhile make one escalation, the most urgent', () => {
    const { alerts } = run([
      ['failing', 0],
      ['failing', 13 * H],
      ['failing', 14 * H],
    ]);
    expect(kinds(alerts)).toEqual(['failing@0m', 'escalation@780m']);
    expect(alerts[1]!.thresholdMs).toBe(12 * H);
  });

  it('flapping is said once, changes while flapping are not alerted, and settling is said once', () => {
    const seq: [Verdict, number][] = [];
    for (let i = 0; i < 24; i++) seq.push([i % 2 ? 'failing' : 'healthy', i * 5 * 60_000]);
    // then steady for more than the window
    for (let t = 24 * 5 * 60_000; t < 24 * 5 * 60_000 + 2 * H; t += 5 * 60_000) seq.push(['healthy', t]);
    const { alerts, state } = run(seq);
    expect(kinds(alerts)).toEqual(['failing@5m', 'recovered@10m', 'failing@15m', 'flapping@20m', 'settled@180m']);
    expect(alerts[3]).toMatchObject({ kind: 'flapping', changes: 4, state: 'healthy' });
    expect(state.flapping).toBe(false);
  });
});

// Issue 20: what mutation testing found unasserted in the state machine (docs/mutation.md).
describe('advance, the state it keeps', () => {
  it('a new target starts with nothing known', () => {
    expect(initialState('t')).toEqual({
      target: 't',
      state: null,
      since: null,
      failingSince: null,
      lastAlertAt: null,
      escalated: [],
      bouncingAnnounced: false,
      changes: [],
      flapping: false,
      lastCheckAt: null,
    });
  });

  it('a new outage has announced nothing yet; the bounce marks every threshold announced; a recovery forgets them', () => {
    expect(run([['failing', 0]]).state).toMatchObject({ state: 'failing', failingSince: '2026-11-27T07:00:00.000Z', escalated: [], bouncingAnnounced: false });
    const bounced = run([
      ['failing', 0],
      ['failing', 25 * H],
    ]);
    expect(kinds(bounced.alerts)).toEqual(['failing@0m', 'bouncing@1500m']);
    expect(bounced.state).toMatchObject({ escalated: [20 * H, 12 * H, H], bouncingAnnounced: true });
    const recovered = run([
      ['failing', 0],
      ['failing', 25 * H],
      ['healthy', 26 * H],
    ]);
    expect(recovered.state).toMatchObject({ state: 'healthy', failingSince: null, escalated: [], bouncingAnnounced: false });
  });

  it('no reminders once recovered, however long it stays healthy', () => {
    const { alerts } = run([
      ['failing', 0],
      ['healthy', H],
      ['healthy', 6 * H],
      ['healthy', 30 * H],
    ]);
    expect(kinds(alerts)).toEqual(['failing@0m', 'recovered@60m']);
  });

  it('while flapping, a failing check says nothing: no reminder, no escalation, for hours', () => {
    const seq: [Verdict, number][] = [];
    for (let i = 0; i < 6 * 12; i++) seq.push([i % 2 ? 'failing' : 'healthy', i * 5 * 60_000]);
    const { alerts, state } = run(seq);
    expect(kinds(alerts)).toEqual(['failing@5m', 'recovered@10m', 'failing@15m', 'flapping@20m']);
    expect(state.flapping).toBe(true);
  });

  it('whether mail went over TLS: remembered from the last check that could tell; a stop is said once, and not over another alert', () => {
    const steps: [Verdict, boolean | null | undefined][] = [
      ['healthy', true],
      ['healthy', null],
      ['healthy', undefined],
      ['healthy', false],
      ['healthy', false],
      ['healthy', true],
      ['failing', false],
    ];
    let state = initialState('t');
    const seen: [boolean | undefined, string[]][] = [];
    steps.forEach(([verdict, tls], i) => {
      const step = advance(state, { ...obs(verdict, T0 + i * 60_000), ...(tls === undefined ? {} : { tls }) }, policy);
      state = step.next;
      seen.push([state.usedTls, step.alerts.map((a) => a.kind)]);
    });
    expect(seen).toEqual([
      [true, []],
      [true, []],
      [true, []],
      [false, ['tls-stopped']],
      [false, []],
      [true, []],
      [false, ['failing']],
    ]);
    expect('usedTls' in advance(initialState('t'), obs('healthy', T0), policy).next).toBe(false);
    expect(advance(initialState('t'), { ...obs('healthy', T0), tls: null }, policy).next.usedTls).toBeUndefined();
  });

  it('an alert carries where the check ran from, when the observation says', () => {
    const vantage = 'from probe.contoso.test (source 127.0.0.1)';
    expect(advance(initialState('t'), { ...obs('failing', T0), vantage }, policy).alerts[0]?.vantage).toBe(vantage);
    expect(advance(initialState('t'), obs('failing', T0), policy).alerts[0]).not.toHaveProperty('vantage');
  });
});

describe('alert text', () => {
  it('carries the code, the stage, the first fix and the countdown', () => {
    const { alerts } = run([
      ['failing', 0],
      ['failing', 4 * H],
    ]);
    const e = alerts[1]!;
    expect(alertSubject(e)).toBe('[mailflow-probe] ESCALATION: 20 h to first bounce t: 450 4.4.316 Connection refused');
    expect(alertLines(e)).toEqual([
      't is failing at 2026-11-27 11:00 UTC.',
      'Exchange Online reports: 450 4.4.316 Connection refused',
      'Failing stage: tcp — mx1.demo.test refused the connection',
      'Fix first: Allow Microsoft 365 on TCP 25.',
      'Failing since 2026-11-27 07:00 UTC (4 h). Mail queued at the start of the outage starts bouncing at 2026-11-28 07:00 UTC (in 20 h; queue lifetime 24 h).',
    ]);
    expect(genericPayload(e, 'id-1')).toMatchObject({
      schema: 'mailflow-probe/alert@1',
      id: 'id-1',
      kind: 'escalation',
      code: '4.4.316',
      stage: 'tcp',
      failingSince: '2026-11-27T07:00:00.000Z',
      bounceAt: '2026-11-28T07:00:00.000Z',
      msUntilBounce: 20 * H,
      thresholdMs: 20 * H,
    });
    const teams = teamsPayload(e) as { attachments: { contentType: string; content: { type: string; body: { text: string }[] } }[] };
    expect(teams.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0]!.content.body.map((b) => b.text)).toContain('Fix first: Allow Microsoft 365 on TCP 25.');
    const slack = slackPayload(e) as { text: string; blocks: { text: { text: string } }[] };
    expect(slack.text).toBe(alertSubject(e));
    expect(slack.blocks[1]!.text.text).toContain('starts bouncing at 2026-11-28 07:00 UTC');
  });

  it('says when mail is already bouncing', () => {
    expect(countdownText(countdown('2026-11-27T07:00:00Z', 24 * H, new Date(T0 + 26 * H)))).toBe(
      'Failing since 2026-11-27 07:00 UTC (26 h). Mail queued at the start of the outage has been bouncing since 2026-11-28 07:00 UTC (2 h ago; queue lifetime 24 h): senders are getting NDRs.',
    );
  });

  it('the last second before the bounce counts down; at the bounce instant mail is bouncing (0 s ago), never "in 0 s"', () => {
    const at = (msAfterT0: number): string => countdownText(countdown('2026-11-27T07:00:00Z', 24 * H, new Date(T0 + msAfterT0)));
    expect(at(24 * H - 1000)).toBe(
      'Failing since 2026-11-27 07:00 UTC (23 h 59 min). Mail queued at the start of the outage starts bouncing at 2026-11-28 07:00 UTC (in 1 s; queue lifetime 24 h).',
    );
    expect(at(24 * H)).toBe(
      'Failing since 2026-11-27 07:00 UTC (24 h). Mail queued at the start of the outage has been bouncing since 2026-11-28 07:00 UTC (0 s ago; queue lifetime 24 h): senders are getting NDRs.',
    );
    expect(countdown('2026-11-27T07:00:00Z', 24 * H, new Date(T0 + 24 * H))).toEqual({
      failingSince: '2026-11-27T07:00:00.000Z',
      bounceAt: '2026-11-28T07:00:00.000Z',
      remainingMs: 0,
      elapsedMs: 24 * H,
      queueLifetimeMs: 24 * H,
    });
  });
});
