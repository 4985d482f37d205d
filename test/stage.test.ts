/**
 * The stage vocabulary (probes/stage.ts): a StageFailure as an Error and as the record a
 * result carries (toJSON), and the stage order the reports list. Written for mutation
 * testing (issue 20): the other tests build failures without looking at the class itself.
 */
import { describe, expect, it } from 'vitest';
import { say } from '../probes/messages.js';
import { PROBE_STEPS } from '../probes/session.js';
import { STAGES, StageFailure } from '../probes/stage.js';

describe('StageFailure', () => {
  it('from plain text: an Error named StageFailure, no template, no detail', () => {
    const f = new StageFailure('tcp', 'connect-refused', 'connection refused');
    expect([f instanceof Error, f.name, f.stage, f.kind, f.message, f.detail, f.said, f.cause]).toEqual([
      true,
      'StageFailure',
      'tcp',
      'connect-refused',
      'connection refused',
      {},
      undefined,
      undefined,
    ]);
    expect(f.toJSON()).toEqual({ stage: 'tcp', kind: 'connect-refused', message: 'connection refused' });
    expect(Object.keys(f.toJSON())).toEqual(['stage', 'kind', 'message']);
  });

  it('from a template: its English text as the message, its id and arguments kept and recorded, the detail and cause kept', () => {
    const cause = new Error('ENOTFOUND');
    const f = new StageFailure('dns', 'dns-nxdomain', say('dns.no-address', { host: 'mx.contoso.test' }), { errno: 'ENOTFOUND' }, { cause });
    expect([f.message, f.said, f.detail, f.cause]).toEqual([
      'host mx.contoso.test has no A or AAAA record',
      { id: 'dns.no-address', args: { host: 'mx.contoso.test' } },
      { errno: 'ENOTFOUND' },
      cause,
    ]);
    expect(f.toJSON()).toEqual({
      stage: 'dns',
      kind: 'dns-nxdomain',
      message: 'host mx.contoso.test has no A or AAAA record',
      id: 'dns.no-address',
      args: { host: 'mx.contoso.test' },
      errno: 'ENOTFOUND',
    });
  });
});

describe('STAGES', () => {
  it('is the probe’s order: DNS, then the session’s steps', () => {
    expect(STAGES).toEqual(['dns', ...PROBE_STEPS.map((s) => s.stage)]);
  });
});
