/**
 * `probe explain` reading an IPv6 LastAttemptedIP, which Exchange (and our own report)
 * writes bracketed: `[LastAttemptedIP=[2001:db8::25]:25]`. Text only: nothing connects.
 */
import { describe, expect, it } from 'vitest';
import { exchangeMessage } from '../src/core/diagnose.js';
import { parseReport } from '../src/explain/explain.js';

const trace = (ipField: string): string =>
  `Reason: [{LED=450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mail.contoso.com] [LastAttemptedIP=${ipField}] [SmtpSecurity=-2;-2] [XX1PR01MB0001.prod.protection.outlook.com 2026-03-07T18:46:06.378Z 08DB1DF24DB12D84]};{MSG=};{FQDN=mail.contoso.com};{LRT=3/7/2026 6:46:06 PM}]`;

describe('a bracketed IPv6 LastAttemptedIP', () => {
  it.each([
    ['[2001:db8::25]:25', '2001:db8::25', 25],
    ['[2001:DB8::25]:2525', '2001:db8::25', 2525],
    ['[::1]:25', '::1', 25],
    ['[2001:db8::25]', '2001:db8::25', null],
  ])('%s reads back as host, address and port', (field, ip, port) => {
    const parsed = parseReport(trace(field));
    expect({ code: parsed.code, server: parsed.server, ip: parsed.ip, port: parsed.port, truncated: parsed.truncated }).toEqual({
      code: '4.4.316',
      server: 'mail.contoso.com',
      ip,
      port,
      truncated: false,
    });
  });

  it('is what our own report writes, and reads back the same', () => {
    const failure = { stage: 'tcp' as const, kind: 'connect-refused' as const, message: 'refused', errno: 'ECONNREFUSED' };
    const message = exchangeMessage('4.4.316', failure, 'mail.contoso.com', '2001:db8::25', 2525);
    expect(message).toContain('[LastAttemptedIP=[2001:db8::25]:2525]');
    expect(parseReport(message)).toMatchObject({ code: '4.4.316', server: 'mail.contoso.com', ip: '2001:db8::25', port: 2525 });
  });

  it('a bracket that holds no address gives no address', () => {
    expect(parseReport(trace('[mail.contoso.com]:25'))).toMatchObject({ server: 'mail.contoso.com', ip: null });
  });
});
