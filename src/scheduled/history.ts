/**
 * The history database (SQLite through better-sqlite3): every confirmed probe result, the
 * state of each target, the timeline of its changes, and the alert outbox.
 *
 * Nothing lost, nothing twice: a pass commits its result row, the new state, the
 * timeline row and the alerts it causes in ONE transaction; the alerts are delivered
 * afterwards from the outbox, and a row is marked delivered only once its channel took
 * it. A process killed at any point leaves either the whole pass or none of it, and
 * undelivered alerts are picked up on the next start. WAL mode lets `probe history` read
 * while `probe watch` writes.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { AlertEvent, Step, TargetState } from './alert-state.js';
import { initialState } from './alert-state.js';
import { UsageError } from '../core/options.js';
import type { ResultCode, ProbeResult, Verdict } from '../core/result.js';

/** Bump with a new entry in MIGRATIONS; `PRAGMA user_version` records what a file has. */
export const SCHEMA_VERSION = 1;

const MIGRATIONS: string[] = [
  // 1: results, states, transitions, alerts, outbox
  `
  CREATE TABLE results (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    at TEXT NOT NULL,
    verdict TEXT NOT NULL,
    code TEXT,
    status TEXT,
    stage TEXT,
    attempts INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    stages TEXT NOT NULL,
    cert_expires TEXT,
    message TEXT
  );
  CREATE INDEX results_target_at ON results (target, at);
  CREATE TABLE states (
    target TEXT PRIMARY KEY,
    state TEXT,
    since TEXT,
    failing_since TEXT,
    data TEXT NOT NULL
  );
  CREATE TABLE transitions (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    at TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    code TEXT,
    result_id INTEGER NOT NULL REFERENCES results (id)
  );
  CREATE INDEX transitions_target_at ON transitions (target, at);
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    result_id INTEGER NOT NULL REFERENCES results (id),
    event TEXT NOT NULL
  );
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    channel TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    last_error TEXT,
    claimed_by TEXT,
    claimed_until TEXT,
    UNIQUE (alert_id, channel)
  );
  CREATE INDEX outbox_pending ON outbox (delivered_at, next_attempt_at);
  `,
];

/** What the history keeps of one result: the facts, not the transcript. */
export interface ResultRow {
  id: number;
  target: string;
  at: string;
  verdict: Verdict;
  code: ResultCode | null;
  status: string | null;
  stage: string | null;
  attempts: number;
  durationMs: number;
  /** Per path: host, address and each stage's timing. */
  stages: { host: string; ip: string | null; verdict: Verdict; stages: { name: string; ok: boolean; ms: number }[] }[];
  /** The earliest leaf certificate expiry seen on any path. */
  certExpires: string | null;
  message: string | null;
}

export interface TransitionRow {
  id: number;
  target: string;
  at: string;
  from: Verdict | null;
  to: Verdict;
  code: ResultCode | null;
}

export interface OutboxRow {
  id: number;
  alertId: string;
  channel: string;
  attempts: number;
  nextAttemptAt: string;
  deliveredAt: string | null;
  lastError: string | null;
  event: AlertEvent;
}

function certExpiry(result: ProbeResult): string | null {
  const dates = result.paths.flatMap((p) => (p.certificate?.chain[0] ? [new Date(p.certificate.chain[0].validTo).toISOString()] : []));
  return dates.sort()[0] ?? null;
}

/**
 * Opens (creating if needed) and migrates the database.
 *
 * @example
 * ```ts
 * const history = History.open('/var/lib/mailflow-probe/history.db');
 * console.log(history.state('contoso-onprem'));
 * history.close();
 * ```
 */
export class History {
  private constructor(readonly db: Database.Database, readonly file: string) {}

  static open(file: string, options: { readonly?: boolean } = {}): History {
    if (options.readonly && file !== ':memory:' && !existsSync(file)) {
      throw new UsageError(`no history database at "${file}" yet: run probe check (or probe watch) first`);
    }
    let db: Database.Database;
    try {
      if (!options.readonly && file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
      db = new Database(file, { readonly: Boolean(options.readonly), fileMustExist: Boolean(options.readonly) });
    } catch (err) {
      throw new UsageError(`cannot open history database "${file}": ${(err as Error).message}`);
    }
    try {
      db.pragma('busy_timeout = 5000');
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        // FULL: a committed pass survives a power cut too, not only a killed process.
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
      }
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new UsageError(`history database "${file}" has schema version ${version}, newer than this probe knows (${SCHEMA_VERSION}): upgrade mailflow-probe`);
      }
      if (version < SCHEMA_VERSION) {
        if (options.readonly) throw new UsageError(`history database "${file}" has schema version ${version}: run probe check once to upgrade it`);
        db.transaction(() => {
          for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
          db.pragma(`user_version = ${SCHEMA_VERSION}`);
        }).immediate();
      }
    } catch (err) {
      db.close();
      if (err instanceof UsageError) throw err;
      throw new UsageError(`history database "${file}" cannot be used: ${(err as Error).message}`);
    }
    return new History(db, file);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  state(target: string): TargetState {
    const row = this.db.prepare('SELECT data FROM states WHERE target = ?').get(target) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as TargetState) : initialState(target);
  }

  states(): TargetState[] {
    return (this.db.prepare('SELECT data FROM states ORDER BY target').all() as { data: string }[]).map((r) => JSON.parse(r.data) as TargetState);
  }

  /**
   * Commits one pass: the result, the new state, the timeline row and every alert with
   * one outbox row per channel — all or nothing. Returns the result row id and the alert ids.
   */
  recordPass(
    target: string,
    result: ProbeResult,
    attempts: number,
    step: Step,
    channels: readonly string[],
  ): { resultId: number; alerts: { id: string; event: AlertEvent }[] } {
    const run = this.db.transaction(() => {
      const headline = result.paths.find((p) => p.verdict === 'failing' && p.code === result.code);
      const failedStage = result.diagnosis?.stage ?? headline?.stages.find((s) => !s.ok)?.name ?? null;
      const info = this.db
        .prepare(
          `INSERT INTO results (target, at, verdict, code, status, stage, attempts, duration_ms, stages, cert_expires, message)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          target,
          step.next.lastCheckAt,
          result.verdict,
          result.code,
          result.status,
          failedStage,
          attempts,
          result.durationMs,
          JSON.stringify(
            result.paths.map((p) => ({ host: p.host, ip: p.ip, verdict: p.verdict, stages: p.stages.map((s) => ({ name: s.name, ok: s.ok, ms: s.ms })) })),
          ),
          certExpiry(result),
          result.message,
        );
      const resultId = Number(info.lastInsertRowid);
      const s = step.next;
      this.db
        .prepare(
          `INSERT INTO states (target, state, since, failing_since, data) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (target) DO UPDATE SET state = excluded.state, since = excluded.since,
             failing_since = excluded.failing_since, data = excluded.data`,
        )
        .run(target, s.state, s.since, s.failingSince, JSON.stringify(s));
      if (step.changed) {
        this.db
          .prepare('INSERT INTO transitions (target, at, from_state, to_state, code, result_id) VALUES (?, ?, ?, ?, ?, ?)')
          .run(target, s.lastCheckAt, step.previous, s.state, result.code, resultId);
      }
      const alerts = step.alerts.map((event) => {
        const id = randomUUID();
        this.db.prepare('INSERT INTO alerts (id, target, kind, at, result_id, event) VALUES (?, ?, ?, ?, ?, ?)').run(id, target, event.kind, event.at, resultId, JSON.stringify(event));
        for (const channel of channels) {
          this.db.prepare('INSERT INTO outbox (alert_id, channel, next_attempt_at) VALUES (?, ?, ?)').run(id, channel, event.at);
        }
        return { id, event };
      });
      return { resultId, alerts };
    });
    return run.immediate();
  }

  /** Undelivered outbox rows whose next attempt is due, oldest first. */
  pendingDeliveries(now: Date): OutboxRow[] {
    return (
      this.db
        .prepare(
          `SELECT o.id, o.alert_id, o.channel, o.attempts, o.next_attempt_at, o.delivered_at, o.last_error, a.event
           FROM outbox o JOIN alerts a ON a.id = o.alert_id
           WHERE o.delivered_at IS NULL AND o.next_attempt_at <= ? ORDER BY o.id`,
        )
        .all(now.toISOString()) as Record<string, unknown>[]
    ).map(outboxRow);
  }

  outbox(): OutboxRow[] {
    return (
      this.db
        .prepare(
          `SELECT o.id, o.alert_id, o.channel, o.attempts, o.next_attempt_at, o.delivered_at, o.last_error, a.event
           FROM outbox o JOIN alerts a ON a.id = o.alert_id ORDER BY o.id`,
        )
        .all() as Record<string, unknown>[]
    ).map(outboxRow);
  }

  /**
   * Takes an outbox row for delivery, so that two processes on one database (a cron
   * `probe check` overlapping `probe watch`) never send it both. The claim lasts until
   * `until`; a claim whose owner died (this host, its pid gone — killed with kill -9) is
   * taken over at once, so a restart does not wait the lease out.
   */
  claim(id: number, owner: string, now: Date, until: Date): boolean {
    const row = this.db.prepare('SELECT claimed_by, claimed_until, delivered_at FROM outbox WHERE id = ?').get(id) as
      | { claimed_by: string | null; claimed_until: string | null; delivered_at: string | null }
      | undefined;
    if (!row || row.delivered_at !== null) return false;
    const free = row.claimed_by === null || row.claimed_by === owner || (row.claimed_until ?? '') < now.toISOString() || ownerIsGone(row.claimed_by);
    if (!free) return false;
    // Compare-and-set: another process may have claimed it since the read.
    const info = this.db
      .prepare('UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ? AND delivered_at IS NULL AND claimed_by IS ? AND claimed_until IS ?')
      .run(owner, until.toISOString(), id, row.claimed_by, row.claimed_until);
    return info.changes === 1;
  }

  markDelivered(id: number, at: Date): void {
    this.db
      .prepare('UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = ?')
      .run(at.toISOString(), id);
  }

  /** Gives back a claim without counting an attempt (a delivery cancelled by shutdown). */
  release(id: number, owner: string): void {
    this.db.prepare('UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ? AND delivered_at IS NULL').run(id, owner);
  }

  markFailed(id: number, error: string, nextAttemptAt: Date): void {
    this.db
      .prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?')
      .run(error, nextAttemptAt.toISOString(), id);
  }

  results(target: string | null, since: Date): ResultRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM results WHERE at >= ? ${target === null ? '' : 'AND target = ?'} ORDER BY id`)
      .all(...(target === null ? [since.toISOString()] : [since.toISOString(), target])) as Record<string, unknown>[];
    return rows.map(resultRow);
  }

  latestResult(target: string): ResultRow | null {
    const row = this.db.prepare('SELECT * FROM results WHERE target = ? ORDER BY id DESC LIMIT 1').get(target) as Record<string, unknown> | undefined;
    return row ? resultRow(row) : null;
  }

  /** The latest known certificate expiry (the last result that saw a certificate). */
  latestCertExpiry(target: string): { at: string; certExpires: string } | null {
    const row = this.db
      .prepare('SELECT at, cert_expires FROM results WHERE target = ? AND cert_expires IS NOT NULL ORDER BY id DESC LIMIT 1')
      .get(target) as { at: string; cert_expires: string } | undefined;
    return row ? { at: row.at, certExpires: row.cert_expires } : null;
  }

  transitions(target: string | null, since: Date): TransitionRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM transitions WHERE at >= ? ${target === null ? '' : 'AND target = ?'} ORDER BY id`)
      .all(...(target === null ? [since.toISOString()] : [since.toISOString(), target])) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as number,
      target: r.target as string,
      at: r.at as string,
      from: r.from_state as Verdict | null,
      to: r.to_state as Verdict,
      code: r.code as ResultCode | null,
    }));
  }

  /** The state a target was in at `at` (the last transition before it), or null. */
  stateAt(target: string, at: Date): Verdict | null {
    const row = this.db
      .prepare('SELECT to_state FROM transitions WHERE target = ? AND at < ? ORDER BY id DESC LIMIT 1')
      .get(target, at.toISOString()) as { to_state: Verdict } | undefined;
    return row?.to_state ?? null;
  }

  alerts(target: string | null, since: Date): { id: string; event: AlertEvent }[] {
    const rows = this.db
      .prepare(`SELECT id, event FROM alerts WHERE at >= ? ${target === null ? '' : 'AND target = ?'} ORDER BY rowid`)
      .all(...(target === null ? [since.toISOString()] : [since.toISOString(), target])) as { id: string; event: string }[];
    return rows.map((r) => ({ id: r.id, event: JSON.parse(r.event) as AlertEvent }));
  }
}

/** `host:pid:nonce`, the owner of a delivery claim. */
export function claimOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** Whether the process that made a claim is known to be dead: same host, no such pid. */
function ownerIsGone(owner: string): boolean {
  const parts = owner.split(':');
  const pid = Number(parts.at(-2));
  if (parts.slice(0, -2).join(':') !== os.hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function outboxRow(r: Record<string, unknown>): OutboxRow {
  return {
    id: r.id as number,
    alertId: r.alert_id as string,
    channel: r.channel as string,
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as string,
    deliveredAt: r.delivered_at as string | null,
    lastError: r.last_error as string | null,
    event: JSON.parse(r.event as string) as AlertEvent,
  };
}

function resultRow(r: Record<string, unknown>): ResultRow {
  return {
    id: r.id as number,
    target: r.target as string,
    at: r.at as string,
    verdict: r.verdict as Verdict,
    code: r.code as ResultCode | null,
    status: r.status as string | null,
    stage: r.stage as string | null,
    attempts: r.attempts as number,
    durationMs: r.duration_ms as number,
    stages: JSON.parse(r.stages as string) as ResultRow['stages'],
    certExpires: r.cert_expires as string | null,
    message: r.message as string | null,
  };
}
