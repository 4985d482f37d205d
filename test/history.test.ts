/**
 * The history database file itself: created with the current schema in WAL mode, and a
 * file from a newer probe, or a missing one, refused with a message that says what to do.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { History, SCHEMA_VERSION } from '../src/scheduled/history.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-history-'));

it('creates the schema at the current version, in WAL mode, in a directory it makes', () => {
  const file = path.join(dir, 'new', 'h.db');
  History.open(file).close();
  const db = new Database(file, { readonly: true });
  expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  expect(tables).toEqual(['alerts', 'outbox', 'results', 'states', 'transitions']);
  db.close();
  // Opening again migrates nothing and keeps the version.
  const again = History.open(file);
  expect(again.states()).toEqual([]);
  again.close();
});

it('refuses a database from a newer version, a missing one for reading, and a file that is not SQLite', () => {
  const file = path.join(dir, 'future.db');
  const db = new Database(file);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  expect(() => History.open(file)).toThrow(
    `history database "${file}" has schema version ${SCHEMA_VERSION + 1}, newer than this probe knows (${SCHEMA_VERSION}): upgrade mailflow-probe`,
  );
  const missing = path.join(dir, 'missing.db');
  expect(() => History.open(missing, { readonly: true })).toThrow(`no history database at "${missing}" yet: run probe check (or probe watch) first`);
  const junk = path.join(dir, 'junk.db');
  writeFileSync(junk, 'this is not a database, just text long enough to have a header');
  expect(() => History.open(junk)).toThrow(`history database "${junk}" cannot be used: file is not a database`);
});
