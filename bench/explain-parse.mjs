// How long `probe explain` takes to read a paste (no network): a real trace reason, and
// hostile shapes at the 64 KiB limit that a backtracking regex would turn quadratic.
// Run after a build: node bench/explain-parse.mjs
import { parseReport } from '../dist/src/explain/explain.js';

const TRACE =
  'Reason: [{LED=450 4.4.317 Cannot connect to remote server [Message=451 5.7.3 STARTTLS is required to send mail] [LastAttemptedServerName=mail.contoso.com] [LastAttemptedIP=203.0.113.25:25] [SmtpSecurity=-2;-2] [XX1PR01MB0001.prod.protection.outlook.com 2026-03-07T18:46:06.378Z 08DB1DF24DB12D84]};{MSG=};{FQDN=mail.contoso.com};{IP=203.0.113.25};{LRT=3/7/2026 6:46:06 PM}]. OutboundProxyTargetIP: 203.0.113.25. OutboundProxyTargetHostName: mail.contoso.com';

function time(label, text, rounds) {
  for (let i = 0; i < Math.min(rounds, 200); i++) parseReport(text);
  const start = performance.now();
  for (let i = 0; i < rounds; i++) parseReport(text);
  const us = ((performance.now() - start) * 1000) / rounds;
  console.log(`${label.padEnd(34)} ${String(text.length).padStart(6)} chars  ${us.toFixed(1).padStart(10)} µs per paste`);
}

time('trace reason (EXCHANGE.md shape)', TRACE, 20_000);
time('64 KiB of spaces, then a code', `${' '.repeat(64_000)}450 4.4.316 Connection refused`, 50);
time('32k open brackets', `${'[ '.repeat(32_000)}450 4.4.316`, 50);
time('3k bracket keys', `450 4.4.317 ${'[LastAttemptedIP=  '.repeat(3_000)}`, 20);
time('30k short lines', `${' \n'.repeat(30_000)}450 4.4.316`, 50);
// Issue 16 item 5: a value that runs to the end of the paste, fed to the redaction pattern.
// (Few rounds: before the fix one paste took seconds.)
time('16k < after a proxy host name', `450 4.4.316 OutboundProxyTargetHostName: ${'<'.repeat(16_000)}`, 3);
time('65k < after a proxy host name', `450 4.4.316 OutboundProxyTargetHostName: ${'<'.repeat(65_000)}`, 3);
time('32k lines of "."', `450 4.4.316 Connection refused ${'.\n'.repeat(32_700)}`, 20);
