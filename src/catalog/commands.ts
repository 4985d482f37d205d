/**
 * The fixed words of the commands' reports besides `probe` itself: `probe verify` (text,
 * Markdown, HTML) and its checklist, the fleet table, the exporter's status page, the demo
 * and the command-line help — in English and in Brazilian Portuguese, with the terms
 * Microsoft's pt-BR uses (docs/glossary-pt-br.md). `{name}` placeholders are filled by
 * `fill()` (report/text.ts).
 *
 * Both languages are one `CommandWords`, so a string missing in either fails the build
 * (issue 15). Exchange's own names (TlsSettings, SmartHosts, Set-OutboundConnector, the
 * status lines) stay as Exchange writes them.
 */
import { fillTemplate, type ProbeTextRef } from '../../probes/messages.js';
import type { StageName } from '../../probes/stage.js';
import { en as enCatalog } from './en.js';
import type { Language } from './index.js';
import { renderProbeText } from './probe-text.js';
import { ptBR as ptBRCatalog } from './pt-br.js';
import { REPORT_TEXT_EN, REPORT_TEXT_PT_BR } from './report-text.js';

// The checklist's ids and statuses, from the module that defines them (a type import: no code).
import type { CheckId, CheckStatus } from '../verify/checklist.js';
type ConnectorVerdict = 'pass' | 'warn' | 'fail' | 'skipped' | 'incomplete';

/** The demo's cases, by id (the case's English name stays its name in JSON and in the targets file). */
export type DemoCaseId = 'healthy' | 'pair' | 'nxdomain' | 'timeout' | 'refused' | 'banner' | 'reset' | 'expired' | 'garbage';

/** The commands whose descriptions the help lists. */
export type CommandName = 'probe' | 'explain' | 'demo' | 'verify' | 'serve' | 'init' | 'check' | 'watch' | 'config-schema' | 'history';

/** The flags of the commands that are not probe options. */
export type FlagKey =
  | 'probe --targets'
  | 'probe --json'
  | 'probe --output'
  | 'probe --warning'
  | 'probe --critical'
  | 'probe --transcript'
  | 'probe --no-color'
  | 'explain --offline'
  | 'explain --recheck'
  | 'explain --server'
  | 'explain --json'
  | 'any --no-color'
  | 'demo --json'
  | 'demo --keep'
  | 'verify --connectors'
  | 'verify --config'
  | 'verify --recipient-domain'
  | 'verify --rcpt-test'
  | 'verify --send-test'
  | 'verify --max-message-size'
  | 'verify --report'
  | 'verify --json'
  | 'verify --markdown'
  | 'serve --config'
  | 'serve --targets'
  | 'serve --listen'
  | 'serve --allow-any-target'
  | 'serve --allow-private'
  | 'serve --token-file'
  | 'serve --max-concurrent'
  | 'serve --request-timeout';

/** The words of commander's usage placeholders that the help translates. */
export type Placeholder =
  | 'options' | 'command' | 'targets' | 'target' | 'text' | 'file' | 'port' | 'mode' | 'name' | 'format' | 'days' | 'lang' | 'domain' | 'size' | 'from' | 'to' | 'host';

/** The step a recipient test or test message reached (src/verify/envelope.ts). */
export type EnvelopeStep = 'connect' | 'greeting' | 'tls' | 'mail' | 'rcpt' | 'rset' | 'data' | 'done';

/** The texts of the recipient test and the test message, by id. */
export type EnvelopeTextId = 'rcpt-accepted' | 'failed-at' | 'failure' | 'send-accepted' | 'send-deadline' | 'send-failed' | 'send-failed-code' | 'not-run';

/**
 * An envelope test's detail as said: its id and arguments. An argument is data (the
 * server's reply, an address, a number), a step (`step`, worded by `envelopeSteps`), or
 * a session driver's text by id (probes/messages.ts), translated in its turn.
 */
export interface EnvelopeTextRef {
  id: EnvelopeTextId;
  args: Record<string, string | number | ProbeTextRef>;
}

export interface CommandWords {
  /** A stage's name as reports show it. */
  stages: Record<StageName, string>;
  /** Counted things: `{n}` filled. */
  days: string;
  verify: {
    header: string;
    verdicts: Record<ConnectorVerdict, string>;
    connectorsOne: string;
    connectorsMany: string;
    /** `{connectors}` then the counts joined by `, ` */
    summary: string;
    counts: Record<ConnectorVerdict, string>;
    commandLine: string;
    tlsOpportunistic: string;
    mxOf: string;
    smartHosts: string;
    note: string;
    warning: string;
    notReached: string;
    queuedAs: string;
    /** The recipient test's and the test message's details. */
    envelope: Record<EnvelopeTextId, string>;
    envelopeSteps: Record<EnvelopeStep, string>;
    /** A test message's detail with the queue id the server gave. */
    queueIdOf: string;
    fix: string;
    recordValidation: string;
    mdTitle: string;
    mdMeta: string;
    mdOverview: string;
    mdChecks: string;
    mdMarks: Record<CheckStatus, string>;
    fixes: string;
    mdRecordValidation: string;
    sampleDomain: string;
    reportWritten: string;
    /** The progress line on a terminal while connectors are probed. */
    probing: string;
    /** The HTML report. */
    html: {
      statusLabels: Record<CheckStatus, string>;
      title: string;
      heading: string;
      meta: string;
      overview: string;
      checklist: string;
      checkHeader: string;
      warning: string;
      stagesPerPath: string;
      stagesOf: string;
      stageOk: string;
      stageFailed: string;
      certificate: string;
      subject: string;
      names: string;
      issuer: string;
      valid: string;
      validRange: string;
      trusted: string;
      yes: string;
      no: string;
      untrusted: string;
      matches: string;
      doesNotMatch: string;
      none: string;
      testMessage: string;
      queueId: string;
      recordValidation: string;
      recordValidationNote: string;
      footer: string;
    };
  };
  checklist: {
    titles: Record<CheckId, string>;
    fixes: {
      resolves: string;
      reachable: string;
      greets: string;
      starttlsOpportunistic: string;
      starttlsRequired: string;
      tlsVersion: string;
      certificateDomain: string;
      certificate: string;
      certificateExpiry: string;
      sizeRaise: string;
      sizeUnknown: string;
      eightBitMime: string;
      smtpUtf8: string;
      recipient: string;
      testMessage: string;
    };
    ipAddress: string;
    notReached: string;
    stageFailed: string;
    earlierNotRun: string;
    noStarttls: string;
    noTls: string;
    noCertificate: string;
    ehloAccepted: string;
    starttlsPlain: string;
    starttlsMissing: string;
    starttlsOffered: string;
    trusted: string;
    trustedMatches: string;
    noNames: string;
    notRequiredTrusted: string;
    notRequiredUntrusted: string;
    untrusted: string;
    expiredOn: string;
    expiresOn: string;
    withinHorizon: string;
    noteOnly: string;
    sizeZero: string;
    sizeUnknown: string;
    sizeSmall: string;
    sizeOk: string;
    eightBitMimeOk: string;
    eightBitMimeMissing: string;
    smtpUtf8Ok: string;
    smtpUtf8Missing: string;
    noPath: string;
    bytes: string;
  };
  /** The notes and reasons of a connector's plan. */
  plan: {
    tlsDomainIgnored: string;
    opportunistic: string;
    disabled: string;
    noTlsDomain: string;
    noSmartHosts: string;
    ruleScoped: string;
    noRecipientDomains: string;
    sampleOne: string;
    sampleMany: string;
    askAny: string;
    askUnder: string;
    and: string;
    needsDomain: string;
    notVerified: string;
  };
  fleet: {
    header: Record<'name' | 'verdict' | 'code' | 'time' | 'detail', string>;
    cancelled: string;
    summary: string;
    byCode: string;
    in: string;
  };
  status: {
    title: string;
    notProbed: string;
    noHistory: string;
    lastProbes: string;
    summary: string;
    probeOne: string;
    columns: Record<'target' | 'hosts' | 'verdict' | 'code' | 'when' | 'recent', string>;
    historyIs: string;
    memory: string;
    store: string;
    scheduled: string;
    fields: Record<'verdict' | 'code' | 'when' | 'stage' | 'message' | 'fix' | 'certificate' | 'vantage', string>;
    expires: string;
    allTargets: string;
    paths: string;
    recent: string;
    noAddress: string;
  };
  demo: {
    header: string;
    columns: Record<'case' | 'verdict' | 'code' | 'fix', string>;
    cases: Record<DemoCaseId, string>;
    showcase: string;
    matched: string;
    mismatched: string;
    keep: string;
    checklistComment: string;
    exporterComment: string;
  };
  help: {
    usage: string;
    arguments: string;
    options: string;
    commands: string;
    globalOptions: string;
    /** The words of usage placeholders: `[options]`, `<file>`, `[targets...]`. */
    placeholders: Record<Placeholder, string>;
    default: string;
    choices: string;
    helpOption: string;
    helpCommand: string;
    version: string;
    commands_: Record<CommandName, string>;
    targetsArgument: string;
    textArgument: string;
    verifyTargetsArgument: string;
    /** The flags that are not probe options (those are in the options' schema), by `command --flag`. */
    flags: Record<FlagKey, string>;
    examples: string;
    /** `Exit codes: …`; then the codes and their titles (from the catalog) follow. */
    exitCodes: string;
    codes: string;
    policyCodes: string;
  };
}

const en: CommandWords = {
  stages: REPORT_TEXT_EN.stageNames,
  days: '{n} days',
  verify: {
    header: 'mailflow-probe verify · {source} · max message size {size} · warn {days} days',
    verdicts: { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skipped: 'SKIPPED', incomplete: 'INCOMPLETE' },
    connectorsOne: '1 connector',
    connectorsMany: '{n} connectors',
    summary: '{connectors}: {counts}',
    counts: { pass: '{n} pass', warn: '{n} warn', fail: '{n} fail', incomplete: '{n} incomplete', skipped: '{n} skipped' },
    commandLine: 'command line',
    tlsOpportunistic: 'opportunistic (TlsSettings null)',
    mxOf: 'MX of {targets}',
    smartHosts: 'smart hosts {targets}',
    note: 'note: {text}',
    warning: 'warning: {text}',
    notReached: 'not reached: {list}',
    queuedAs: 'test message queued as {id}',
    envelope: {
      'rcpt-accepted': 'RCPT TO:<{to}> accepted: {reply}',
      'failed-at': '{step}: {reason}',
      failure: '{reason}',
      'send-accepted': 'accepted: {reply}',
      'send-deadline': 'not sent: no complete answer within the deadline ({ms} ms)',
      'send-failed': 'not sent: {error}',
      'send-failed-code': 'not sent: {error} ({code})',
      'not-run': "not run: the connector's deadline ({ms} ms) had passed",
    },
    envelopeSteps: { connect: 'connect', greeting: 'greeting', tls: 'tls', mail: 'mail', rcpt: 'rcpt', rset: 'rset', data: 'data', done: 'done' },
    queueIdOf: '{detail} (queue id {id})',
    fix: 'Fix:',
    recordValidation: 'Record the validation in Exchange Online (printed, not run):',
    mdTitle: 'Connector verification: {verdict}',
    mdMeta: '{summary} · source {source} · {startedAt} · max message size {size}',
    mdOverview: '| Connector | Verdict | Code | Route |',
    mdChecks: '| Check | Result | Detail |',
    mdMarks: { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail', skip: '➖ skip' },
    fixes: 'Fixes',
    mdRecordValidation: 'Record the validation in Exchange Online (not run by the prober):',
    sampleDomain: 'Give a sample domain under {pattern} with --recipient-domain to verify it.',
    reportWritten: 'report written to {file}',
    probing: 'probing {name}: {targets} …',
    html: {
      statusLabels: { pass: 'Pass', warn: 'Warn', fail: 'Fail', skip: 'Not reached' },
      title: 'Connector verification: {verdict}',
      heading: 'Exchange Online connector verification',
      meta: '{summary} · {source} · {startedAt} · maximum message size {size} · certificate warning horizon {days} days',
      overview: 'Connector|Verdict|Code|Route and TLS',
      checklist: 'Checklist',
      checkHeader: 'Check|Result|Detail',
      warning: 'Warning',
      stagesPerPath: 'Stages per path',
      stagesOf: 'stages of {path}',
      stageOk: 'ok',
      stageFailed: 'failed',
      certificate: 'Certificate',
      subject: 'Subject',
      names: 'Names',
      issuer: 'Issuer',
      valid: 'Valid',
      validRange: '{from} to {to} ({days})',
      trusted: 'Trusted',
      yes: 'yes',
      no: 'no ({why})',
      untrusted: 'untrusted',
      matches: '{name}: matches',
      doesNotMatch: '{name}: does not match',
      none: '(none)',
      testMessage: 'Test message: {detail}',
      queueId: 'queue id',
      recordValidation: 'Record the validation in Exchange Online',
      recordValidationNote: 'Printed for an administrator to run; the prober never runs it.',
      footer: 'mailflow-probe · probed the way Exchange Online delivers through each connector: MX/A lookup, TCP 25, greeting, EHLO, STARTTLS, TLS, certificate',
    },
  },
  checklist: {
    titles: {
      resolves: 'Resolves',
      reachable: 'Reachable on TCP 25 at every address',
      greets: 'Greets and answers EHLO without error',
      starttls: 'Offers STARTTLS',
      'tls-version': 'TLS 1.2 or later',
      certificate: 'Certificate trusted and matching TlsDomain',
      'certificate-expiry': 'Certificate valid beyond the warning horizon',
      size: "SIZE at least Exchange Online's maximum message size",
      '8bitmime': '8BITMIME advertised',
      smtputf8: 'SMTPUTF8 advertised',
      recipient: 'Accepts a recipient (MAIL FROM / RCPT TO / RSET)',
      'test-message': 'Accepts a test message',
    },
    fixes: {
      resolves: "Fix the smart host's DNS records (MX, A/AAAA) with the DNS host, or correct the connector's SmartHosts / RecipientDomains.",
      reachable: "Allow Microsoft 365's outbound IP ranges to reach TCP 25 on every address (firewall, NAT, ACL), or remove the dead address from DNS or the connector.",
      greets: "Make the server greet with 220 and accept EHLO from Microsoft 365's addresses (connection filtering, receive connector RemoteIPRanges, SMTP inspection on the firewall).",
      starttlsOpportunistic: 'Enable STARTTLS on the server with a certificate, or mail through this connector travels unencrypted.',
      starttlsRequired: 'Enable STARTTLS on the server: the connector requires TLS ({mode}); without it Exchange Online queues mail with 450 4.4.317.',
      tlsVersion: 'Enable TLS 1.2 (or 1.3) on the server: Exchange Online never uses TLS 1.0 or 1.1.',
      certificateDomain: "Install a certificate from a public CA, sent with its full chain, whose names cover {domain}; or change the connector's TlsDomain to a name the certificate carries.",
      certificate: 'Install a certificate from a public CA and send the full chain (leaf and intermediates).',
      certificateExpiry: 'Renew the certificate before it expires (the warning horizon is {days} days); install the renewed one on every smart host.',
      sizeRaise:
        "Raise the smart host's message size limit to at least {size} (Exchange: Set-ReceiveConnector -MaxMessageSize and Set-TransportConfig -MaxReceiveSize; Postfix: message_size_limit), or pass --max-message-size with your tenant's real limit.",
      sizeUnknown:
        'The smart host does not advertise SIZE (RFC 1870): Exchange Online sends anyway, but the server may still reject large messages; make sure it accepts at least {size}, and advertising SIZE makes the limit visible.',
      eightBitMime: 'Enable 8BITMIME (RFC 6152) on the server; without it Exchange Online must down-convert 8-bit messages to 7-bit.',
      smtpUtf8: 'Enable SMTPUTF8 (RFC 6531) on the server, or mail to and from internationalized addresses cannot be delivered through this connector.',
      recipient: 'Make the server accept mail for the recipient domain from Microsoft 365 (accepted domains, relay rules, recipient validation).',
      testMessage: "Look up the reply in the server's log: it must accept the message from Microsoft 365 (size, content filtering, relay rules).",
    },
    ipAddress: 'an IP address: nothing to look up',
    notReached: 'not reached ({why})',
    stageFailed: '{stage} failed',
    earlierNotRun: 'an earlier stage did not run',
    noStarttls: 'no STARTTLS',
    noTls: 'no TLS',
    noCertificate: 'no certificate',
    ehloAccepted: '{banner}; EHLO accepted',
    starttlsPlain: 'STARTTLS is not offered: mail goes unencrypted, as an opportunistic connector allows',
    starttlsMissing: 'STARTTLS is not offered but the connector requires TLS ({mode})',
    starttlsOffered: 'STARTTLS offered',
    trusted: 'trusted',
    trustedMatches: 'trusted; matches {name}',
    noNames: '(no names)',
    notRequiredTrusted: 'not required by {mode}; the chain is trusted ({names})',
    notRequiredUntrusted: 'not required by {mode}; note the chain would not validate ({error}; {names})',
    untrusted: 'untrusted',
    expiredOn: '{subject} expired on {date}',
    expiresOn: '{subject} expires {date} ({days} days)',
    withinHorizon: '{when}: within the {days}-day horizon',
    noteOnly: '{when}: a note only, {mode} does not validate the certificate and Exchange Online delivers regardless',
    sizeZero: 'SIZE 0: no fixed limit (RFC 1870)',
    sizeUnknown: 'SIZE is not advertised: the limit is unknown until a large message bounces',
    sizeSmall: "the server accepts at most {size}, less than Exchange Online's {max}: messages between the two would be rejected",
    sizeOk: 'SIZE {size} ≥ {max}',
    eightBitMimeOk: '8BITMIME advertised',
    eightBitMimeMissing: '8BITMIME is not advertised',
    smtpUtf8Ok: 'SMTPUTF8 advertised',
    smtpUtf8Missing: 'SMTPUTF8 is not advertised',
    noPath: 'no path',
    bytes: '{short} ({bytes} bytes)',
  },
  plan: {
    tlsDomainIgnored: 'TlsDomain {domain} is ignored: Exchange Online checks it only with TlsSettings DomainValidation',
    opportunistic: 'TlsSettings is null: opportunistic TLS (STARTTLS when offered, else unencrypted)',
    disabled: 'the connector is disabled (Enabled: false)',
    noTlsDomain: 'TlsSettings is DomainValidation but TlsDomain is empty: Exchange Online has no name to check',
    noSmartHosts: 'UseMXRecord is false but SmartHosts is empty: the connector has nowhere to send',
    ruleScoped: 'the connector is scoped by a transport rule (no RecipientDomains): samples from --recipient-domain stand in',
    noRecipientDomains: 'RecipientDomains is empty: samples from --recipient-domain stand in',
    sampleOne: '{pattern}: probed through the sample domain {domains}',
    sampleMany: '{pattern}: probed through the sample domains {domains}',
    askAny: 'a sample recipient domain',
    askUnder: 'a domain under {base}',
    and: ' and ',
    needsDomain: 'UseMXRecord with {patterns}: a wildcard names no MX to look up; give {ask} with --recipient-domain',
    notVerified: '{pattern} is not verified: a wildcard names no MX to look up; give {ask} with --recipient-domain',
  },
  fleet: {
    header: { name: 'NAME', verdict: 'VERDICT', code: 'CODE', time: 'TIME', detail: 'DETAIL' },
    cancelled: 'cancelled',
    summary: '{n} targets: {healthy} healthy, {degraded} degraded, {failing} failing',
    byCode: ' ({codes})',
    in: ' in {time}',
  },
  status: {
    title: 'mailflow-probe exporter',
    notProbed: 'not probed yet',
    noHistory: 'no history yet',
    lastProbes: 'last {n} probes',
    summary: '{n} targets: {healthy} healthy, {degraded} degraded, {failing} failing, {none} not probed yet. History: {source}.',
    probeOne: 'probe one:',
    columns: { target: 'target', hosts: 'smart hosts', verdict: 'last verdict', code: 'code', when: 'when', recent: 'recent probes' },
    historyIs: 'History: {source}.',
    memory: "this exporter's own probes, in memory",
    store: 'history store',
    scheduled: 'the history of the scheduled checks ({database})',
    fields: {
      verdict: 'verdict',
      code: 'code',
      when: 'when',
      stage: 'failed at',
      message: 'Exchange Online would report',
      fix: enCatalog.headings.fixFirst.toLowerCase(),
      certificate: 'certificate',
      vantage: 'probed',
    },
    expires: 'expires {when} ({days})',
    allTargets: '← all targets',
    paths: 'Paths',
    recent: 'Recent probes',
    noAddress: '(no address)',
  },
  demo: {
    header: 'mailflow-probe demo: loopback smart hosts, one per outcome (DNS {dns}, certificates made just now)',
    columns: { case: 'case', verdict: 'verdict', code: 'code', fix: enCatalog.headings.fixFirst.toLowerCase() },
    cases: {
      healthy: 'healthy (MX, STARTTLS, trusted chain)',
      pair: 'one of two addresses refuses',
      nxdomain: 'name does not exist (NXDOMAIN)',
      timeout: 'SYN never answered',
      refused: 'port 25 closed',
      banner: 'greeting is 421 4.3.2',
      reset: 'connection reset after EHLO',
      expired: 'certificate expired',
      garbage: 'not an SMTP server',
    },
    showcase: 'One case in full ({case}), as probe reports it:',
    matched: 'Every case gave the verdict and code Exchange Online would report. Now try a real smart host:',
    mismatched: 'Some cases did not give the expected code: this is a bug, please report it with `probe demo --json`.',
    keep: 'The demo servers stay up until Ctrl-C (DNS and smart hosts on loopback). Try, in another terminal:',
    checklistComment: 'the pre-migration checklist for the healthy smart host',
    exporterComment: 'the exporter over every case: /probe?target=certificate-expired, /metrics, /',
  },
  help: {
    usage: 'Usage:',
    arguments: 'Arguments:',
    options: 'Options:',
    commands: 'Commands:',
    globalOptions: 'Global Options:',
    placeholders: {
      options: 'options', command: 'command', targets: 'targets', target: 'target', text: 'text', file: 'file', port: 'port', mode: 'mode',
      name: 'name', format: 'format', days: 'days', lang: 'lang', domain: 'domain', size: 'size', from: 'from', to: 'to', host: 'host',
    },
    default: 'default',
    choices: 'choices',
    helpOption: 'display help for command',
    helpCommand: 'display help for command',
    version: 'output the version number',
    commands_: {
      probe:
        'Probe the smart hosts behind an Exchange Online connector the way Exchange Online delivers to them ' +
        '(MX/A lookup, TCP 25, greeting, EHLO, STARTTLS, TLS, certificate) and name the 450 code it would report.',
      explain:
        'explain a pasted message-trace reason or bounce (an argument, or "-" / nothing to read standard input), ' +
        'then re-check the server and the exact address it names',
      demo: 'start loopback smart hosts that fail in every way Exchange Online reports, probe each, and print a table',
      verify:
        'pre-migration verification: probe every connector of a Get-OutboundConnector | ConvertTo-Json export ' +
        '(or the smart hosts given) as Exchange Online would, run the checklist, and report',
      serve: 'run a Prometheus exporter: GET /probe?target=NAME probes a configured target; /metrics; / status page',
      init: 'write a commented example config for scheduled checks',
      check: 'check every target in the config once, record the history, send alerts (for cron); exit code = worst verdict',
      watch: 'keep running: check each target on its cron schedule, record the history, send alerts',
      'config-schema': 'print the JSON Schema (draft 2020-12) of the config file, for editors: # yaml-language-server: $schema=FILE',
      history: 'state, countdown, uptime, certificate expiry and the timeline of state changes',
    },
    targetsArgument: 'smart host names, domains (looked up by MX) or IP addresses',
    textArgument: 'the pasted text (quote it), or - for standard input',
    verifyTargetsArgument: 'smart hosts to verify as one connector (instead of --connectors)',
    flags: {
      'probe --targets': 'fleet mode: probe every connector in FILE (one a line: hosts and key=value options; or a scheduled-checks config, .yaml/.json)',
      'probe --json': 'print the result as JSON (schema mailflow-probe/result@1)',
      'probe --output': 'text (default), json (as --json), or nagios: a Nagios/Icinga plugin line with perfdata, exit 0-3',
      'probe --warning': 'with --output nagios: WARNING when a certificate has this many days left or fewer (default 30)',
      'probe --critical': 'with --output nagios: CRITICAL when a certificate has this many days left or fewer (default 7)',
      'probe --transcript': 'show the SMTP dialogue of every path',
      'probe --no-color': 'no colours (NO_COLOR is honoured too)',
      'explain --offline': 'only explain: send nothing',
      'explain --recheck': 're-check the server even for a status outside the connector codes (such as 550 5.7.1)',
      'explain --server': 'the server to re-check when the paste names none (or instead of it)',
      'explain --json': 'print the result as JSON (schema mailflow-probe/explain@1)',
      'any --no-color': 'no colours',
      'demo --json': "print every case's result as JSON",
      'demo --keep': 'keep the servers up after the table and print probe, verify and serve commands to try against them, until Ctrl-C',
      'verify --connectors': 'the output of Get-OutboundConnector | ConvertTo-Json, or of Get-OutboundConnector | Format-List',
      'verify --config': 'verify the targets of a scheduled-checks config instead (each with its own options)',
      'verify --recipient-domain': 'a sample domain for a wildcard RecipientDomains entry (repeatable)',
      'verify --rcpt-test': 'also send MAIL FROM / RCPT TO / RSET (no DATA) on every passing path',
      'verify --send-test': 'also send one real test message with nodemailer and report its queue id',
      'verify --max-message-size': "Exchange Online's maximum message size the smart host must accept (default 36MB)",
      'verify --report': 'write a self-contained HTML report',
      'verify --json': 'print the report as JSON (schema mailflow-probe/verify@1)',
      'verify --markdown': 'print the report as Markdown, for a ticket',
      'serve --config': "the scheduled checks' config: its targets, and its history for the status page",
      'serve --targets': 'the targets it may probe, one a line (as for probe --targets)',
      'serve --listen': 'where to listen (default 127.0.0.1:9125)',
      'serve --allow-any-target': 'also probe ?target=HOST not in the targets file (public addresses only)',
      'serve --allow-private': 'with --allow-any-target: also loopback, private and other special-purpose addresses',
      'serve --token-file': 'require Authorization: Bearer <the token in FILE> (or set PROBE_EXPORTER_TOKEN)',
      'serve --max-concurrent': 'probes at once; beyond, 503 (default 32)',
      'serve --request-timeout': 'the most one request may take (default 30000)',
    },
    examples: `
Examples:
  probe smarthost.contoso.com
      MX first, then A/AAAA, every address; TLS certificate-validation (the default)
  probe mail1.contoso.com mail2.contoso.com --tls-domain '*.contoso.com'
      both smart hosts of a connector with TlsSettings DomainValidation
  probe 203.0.113.25 --tls-mode encryption-only --json
      one address, TLS required but any certificate; machine-readable result
  probe contoso.com --resolver 192.0.2.53 --transcript
      ask a specific DNS server; show the SMTP dialogue of every path
  probe demo
      every failure code against built-in loopback servers; no network needed
  probe contoso.com --no-policies
      an MX route without the recipient domain's DANE, MTA-STS and TLS-RPT (checked by default)
  probe explain 'Reason: [{LED=450 4.4.317 Cannot connect to remote server …'
      read a message-trace reason or a bounce, then re-check the server it names
  probe smarthost.contoso.com --lang pt-BR
      the diagnosis in Brazilian Portuguese (also chosen by LANG=pt_BR.UTF-8)
`,
    exitCodes: 'Exit codes: 0 healthy, 1 degraded, 2 failing, 3 usage error, 130 cancelled.',
    codes: 'Codes: {codes}',
    policyCodes: "on MX routes, the recipient's DANE/MTA-STS: {codes}",
  },
};

const ptBR: CommandWords = {
  stages: REPORT_TEXT_PT_BR.stageNames,
  days: '{n} dias',
  verify: {
    header: 'mailflow-probe verify · {source} · tamanho máximo de mensagem {size} · aviso com {days} dias de antecedência',
    verdicts: { pass: 'APROVADO', warn: 'AVISO', fail: 'FALHA', skipped: 'IGNORADO', incomplete: 'INCOMPLETO' },
    connectorsOne: '1 conector',
    connectorsMany: '{n} conectores',
    summary: '{connectors} — {counts}',
    counts: { pass: 'aprovados: {n}', warn: 'com aviso: {n}', fail: 'com falha: {n}', incomplete: 'incompletos: {n}', skipped: 'ignorados: {n}' },
    commandLine: 'linha de comando',
    tlsOpportunistic: 'oportunista (TlsSettings null)',
    mxOf: 'MX de {targets}',
    smartHosts: 'hosts inteligentes {targets}',
    note: 'observação: {text}',
    warning: 'aviso: {text}',
    notReached: 'não alcançado: {list}',
    queuedAs: 'mensagem de teste enfileirada como {id}',
    envelope: {
      'rcpt-accepted': 'RCPT TO:<{to}> aceito: {reply}',
      'failed-at': '{step}: {reason}',
      failure: '{reason}',
      'send-accepted': 'aceita: {reply}',
      'send-deadline': 'não enviada: nenhuma resposta completa dentro do prazo ({ms} ms)',
      'send-failed': 'não enviada: {error}',
      'send-failed-code': 'não enviada: {error} ({code})',
      'not-run': 'não executado: o prazo do conector ({ms} ms) já havia terminado',
    },
    envelopeSteps: {
      connect: 'conexão',
      greeting: 'saudação',
      tls: 'TLS',
      mail: 'MAIL FROM',
      rcpt: 'RCPT TO',
      rset: 'RSET',
      data: 'DATA',
      done: 'concluído',
    },
    queueIdOf: '{detail} (ID na fila {id})',
    fix: 'Correção:',
    recordValidation: 'Registre a validação no Exchange Online (comando apenas exibido, não executado):',
    mdTitle: 'Verificação de conectores: {verdict}',
    mdMeta: '{summary} · origem {source} · {startedAt} · tamanho máximo de mensagem {size}',
    mdOverview: '| Conector | Resultado | Código | Rota |',
    mdChecks: '| Verificação | Resultado | Detalhe |',
    mdMarks: { pass: '✅ aprovado', warn: '⚠️ aviso', fail: '❌ falha', skip: '➖ não alcançado' },
    fixes: 'Correções',
    mdRecordValidation: 'Registre a validação no Exchange Online (o mailflow-probe não executa este comando):',
    sampleDomain: 'Informe um domínio de exemplo sob {pattern} com --recipient-domain para verificá-lo.',
    reportWritten: 'relatório gravado em {file}',
    probing: 'verificando {name}: {targets} …',
    html: {
      statusLabels: { pass: 'Aprovado', warn: 'Aviso', fail: 'Falha', skip: 'Não alcançado' },
      title: 'Verificação de conectores: {verdict}',
      heading: 'Verificação dos conectores do Exchange Online',
      meta: '{summary} · {source} · {startedAt} · tamanho máximo de mensagem {size} · aviso de certificado com {days} dias de antecedência',
      overview: 'Conector|Resultado|Código|Rota e TLS',
      checklist: 'Lista de verificação',
      checkHeader: 'Verificação|Resultado|Detalhe',
      warning: 'Aviso',
      stagesPerPath: 'Etapas por caminho',
      stagesOf: 'etapas de {path}',
      stageOk: 'ok',
      stageFailed: 'falhou',
      certificate: 'Certificado',
      subject: 'Requerente',
      names: 'Nomes',
      issuer: 'Emissor',
      valid: 'Validade',
      validRange: '{from} a {to} ({days})',
      trusted: 'Confiável',
      yes: 'sim',
      no: 'não ({why})',
      untrusted: 'não confiável',
      matches: '{name}: corresponde',
      doesNotMatch: '{name}: não corresponde',
      none: '(nenhum)',
      testMessage: 'Mensagem de teste: {detail}',
      queueId: 'ID na fila',
      recordValidation: 'Registre a validação no Exchange Online',
      recordValidationNote: 'Exibido para que um administrador o execute; o mailflow-probe nunca o executa.',
      footer:
        'mailflow-probe · cada conector verificado como o Exchange Online entrega por ele: consulta MX/A, TCP 25, saudação, EHLO, STARTTLS, TLS, certificado',
    },
  },
  checklist: {
    titles: {
      resolves: 'É resolvido no DNS',
      reachable: 'Acessível na porta TCP 25 em todos os endereços',
      greets: 'Envia a saudação e responde ao EHLO sem erro',
      starttls: 'Oferece STARTTLS',
      'tls-version': 'TLS 1.2 ou posterior',
      certificate: 'Certificado confiável e correspondente ao TlsDomain',
      'certificate-expiry': 'Certificado válido além do prazo de aviso',
      size: 'SIZE de pelo menos o limite do Exchange Online',
      '8bitmime': '8BITMIME anunciado',
      smtputf8: 'SMTPUTF8 anunciado',
      recipient: 'Aceita um destinatário (MAIL FROM / RCPT TO / RSET)',
      'test-message': 'Aceita uma mensagem de teste',
    },
    fixes: {
      resolves:
        'Corrija os registros DNS do host inteligente (MX, A/AAAA) com o provedor de hospedagem DNS ou corrija SmartHosts / RecipientDomains no conector.',
      reachable:
        'Permita que os intervalos de endereços IP de saída do Microsoft 365 alcancem a porta TCP 25 em todos os endereços (firewall, NAT, ACL) ou remova o endereço inativo do DNS ou do conector.',
      greets:
        'Faça o servidor responder com a saudação 220 e aceitar o EHLO dos endereços do Microsoft 365 (filtragem de conexão, RemoteIPRanges do conector de recebimento, inspeção de SMTP no firewall).',
      starttlsOpportunistic: 'Habilite o STARTTLS no servidor com um certificado; caso contrário, os emails roteados por este conector trafegam sem criptografia.',
      starttlsRequired: 'Habilite o STARTTLS no servidor: o conector exige TLS ({mode}); sem ele, o Exchange Online enfileira os emails com 450 4.4.317.',
      tlsVersion: 'Habilite o TLS 1.2 (ou 1.3) no servidor: o Exchange Online nunca usa TLS 1.0 nem 1.1.',
      certificateDomain:
        'Instale um certificado de uma autoridade de certificação (AC) pública, enviado com a cadeia completa, cujos nomes abranjam {domain}; ou altere o TlsDomain do conector para um nome que o certificado contenha.',
      certificate: 'Instale um certificado de uma autoridade de certificação (AC) pública e envie a cadeia completa (o certificado do servidor e os intermediários).',
      certificateExpiry: 'Renove o certificado antes que ele expire (o prazo de aviso é de {days} dias) e instale o certificado renovado em todos os hosts inteligentes.',
      sizeRaise:
        'Aumente o limite de tamanho de mensagem do host inteligente para pelo menos {size} (Exchange: Set-ReceiveConnector -MaxMessageSize e Set-TransportConfig -MaxReceiveSize; Postfix: message_size_limit) ou informe --max-message-size com o limite real do seu locatário.',
      sizeUnknown:
        'O host inteligente não anuncia SIZE (RFC 1870): o Exchange Online envia mesmo assim, mas o servidor ainda pode rejeitar mensagens grandes. Confirme que ele aceita pelo menos {size}; anunciar SIZE torna o limite visível.',
      eightBitMime: 'Habilite o 8BITMIME (RFC 6152) no servidor; sem ele, o Exchange Online precisa converter mensagens de 8 bits para 7 bits.',
      smtpUtf8: 'Habilite o SMTPUTF8 (RFC 6531) no servidor; caso contrário, emails de e para endereços internacionalizados não podem ser entregues por este conector.',
      recipient: 'Faça o servidor aceitar emails do Microsoft 365 para o domínio do destinatário (domínios aceitos, regras de retransmissão, validação de destinatários).',
      testMessage: 'Procure a resposta no log do servidor: ele precisa aceitar a mensagem do Microsoft 365 (tamanho, filtragem de conteúdo, regras de retransmissão).',
    },
    ipAddress: 'um endereço IP: nada a consultar no DNS',
    notReached: 'não alcançado ({why})',
    stageFailed: 'falha na etapa {stage}',
    earlierNotRun: 'uma etapa anterior não foi executada',
    noStarttls: 'sem STARTTLS',
    noTls: 'sem TLS',
    noCertificate: 'sem certificado',
    ehloAccepted: '{banner}; EHLO aceito',
    starttlsPlain: 'STARTTLS não é oferecido: os emails trafegam sem criptografia, como um conector oportunista permite',
    starttlsMissing: 'STARTTLS não é oferecido, mas o conector exige TLS ({mode})',
    starttlsOffered: 'STARTTLS oferecido',
    trusted: 'confiável',
    trustedMatches: 'confiável; corresponde a {name}',
    noNames: '(sem nomes)',
    notRequiredTrusted: 'não exigido por {mode}; a cadeia é confiável ({names})',
    notRequiredUntrusted: 'não exigido por {mode}; observe que a cadeia não seria validada ({error}; {names})',
    untrusted: 'não confiável',
    expiredOn: '{subject} expirou em {date}',
    expiresOn: '{subject} expira em {date} ({days} dias)',
    withinHorizon: '{when}: dentro do prazo de aviso de {days} dias',
    noteOnly: '{when}: apenas uma observação; {mode} não valida o certificado e o Exchange Online entrega mesmo assim',
    sizeZero: 'SIZE 0: sem limite fixo (RFC 1870)',
    sizeUnknown: 'SIZE não é anunciado: o limite só fica conhecido quando uma mensagem grande gera uma notificação de falha na entrega (NDR)',
    sizeSmall: 'o servidor aceita no máximo {size}, menos que os {max} do Exchange Online: mensagens com tamanho entre os dois seriam rejeitadas',
    sizeOk: 'SIZE {size} ≥ {max}',
    eightBitMimeOk: '8BITMIME anunciado',
    eightBitMimeMissing: '8BITMIME não é anunciado',
    smtpUtf8Ok: 'SMTPUTF8 anunciado',
    smtpUtf8Missing: 'SMTPUTF8 não é anunciado',
    noPath: 'nenhum caminho',
    bytes: '{short} ({bytes} bytes)',
  },
  plan: {
    tlsDomainIgnored: 'TlsDomain {domain} é ignorado: o Exchange Online só o verifica com TlsSettings DomainValidation',
    opportunistic: 'TlsSettings é null: TLS oportunista (STARTTLS quando oferecido; caso contrário, sem criptografia)',
    disabled: 'o conector está desabilitado (Enabled: false)',
    noTlsDomain: 'TlsSettings é DomainValidation, mas TlsDomain está vazio: o Exchange Online não tem nome para verificar',
    noSmartHosts: 'UseMXRecord é false, mas SmartHosts está vazio: o conector não tem para onde enviar',
    ruleScoped: 'o escopo do conector é definido por uma regra de transporte (sem RecipientDomains): os exemplos de --recipient-domain são usados no lugar',
    noRecipientDomains: 'RecipientDomains está vazio: os exemplos de --recipient-domain são usados no lugar',
    sampleOne: '{pattern}: verificado pelo domínio de exemplo {domains}',
    sampleMany: '{pattern}: verificado pelos domínios de exemplo {domains}',
    askAny: 'um domínio de destinatário de exemplo',
    askUnder: 'um domínio sob {base}',
    and: ' e ',
    needsDomain: 'UseMXRecord com {patterns}: um curinga não indica nenhum MX a consultar; informe {ask} com --recipient-domain',
    notVerified: '{pattern} não foi verificado: um curinga não indica nenhum MX a consultar; informe {ask} com --recipient-domain',
  },
  fleet: {
    header: { name: 'NOME', verdict: 'RESULTADO', code: 'CÓDIGO', time: 'TEMPO', detail: 'DETALHE' },
    cancelled: 'cancelado',
    summary: 'Destinos: {n} — íntegros: {healthy}, degradados: {degraded}, com falha: {failing}',
    byCode: ' ({codes})',
    in: ' em {time}',
  },
  status: {
    title: 'Exportador do mailflow-probe',
    notProbed: 'ainda não verificado',
    noHistory: 'ainda sem histórico',
    lastProbes: 'últimas {n} verificações',
    summary: 'Destinos: {n} — íntegros: {healthy}, degradados: {degraded}, com falha: {failing}, ainda não verificados: {none}. Histórico: {source}.',
    probeOne: 'verificar um destino:',
    columns: { target: 'destino', hosts: 'hosts inteligentes', verdict: 'último resultado', code: 'código', when: 'quando', recent: 'verificações recentes' },
    historyIs: 'Histórico: {source}.',
    memory: 'as verificações deste exportador, em memória',
    store: 'armazenamento de histórico',
    scheduled: 'o histórico das verificações agendadas ({database})',
    fields: {
      verdict: 'resultado',
      code: 'código',
      when: 'quando',
      stage: 'falhou na etapa',
      message: 'o Exchange Online relataria',
      fix: ptBRCatalog.headings.fixFirst.toLowerCase(),
      certificate: 'certificado',
      vantage: 'verificado',
    },
    expires: 'expira em {when} ({days})',
    allTargets: '← todos os destinos',
    paths: 'Caminhos',
    recent: 'Verificações recentes',
    noAddress: '(sem endereço)',
  },
  demo: {
    header: 'Demonstração do mailflow-probe: hosts inteligentes em loopback, um por resultado (DNS {dns}, certificados gerados agora)',
    columns: { case: 'caso', verdict: 'resultado', code: 'código', fix: ptBRCatalog.headings.fixFirst.toLowerCase() },
    cases: {
      healthy: 'íntegro (MX, STARTTLS, cadeia confiável)',
      pair: 'um de dois endereços recusa',
      nxdomain: 'o nome não existe (NXDOMAIN)',
      timeout: 'SYN nunca respondido',
      refused: 'porta 25 fechada',
      banner: 'a saudação é 421 4.3.2',
      reset: 'conexão redefinida após o EHLO',
      expired: 'certificado expirado',
      garbage: 'não é um servidor SMTP',
    },
    showcase: 'Um caso completo ({case}), como o probe o relata:',
    matched: 'Todos os casos deram o resultado e o código que o Exchange Online relataria. Agora experimente um host inteligente real:',
    mismatched: 'Alguns casos não deram o código esperado: isso é um bug; relate-o com `probe demo --json`.',
    keep: 'Os servidores da demonstração continuam ativos até Ctrl-C (DNS e hosts inteligentes em loopback). Em outro terminal, experimente:',
    checklistComment: 'a lista de verificação pré-migração do host inteligente íntegro',
    exporterComment: 'o exportador com todos os casos: /probe?target=certificate-expired, /metrics, /',
  },
  help: {
    usage: 'Uso:',
    arguments: 'Argumentos:',
    options: 'Opções:',
    commands: 'Comandos:',
    globalOptions: 'Opções globais:',
    placeholders: {
      options: 'opções', command: 'comando', targets: 'destinos', target: 'destino', text: 'texto', file: 'arquivo', port: 'porta', mode: 'modo',
      name: 'nome', format: 'formato', days: 'dias', lang: 'idioma', domain: 'domínio', size: 'tamanho', from: 'de', to: 'para', host: 'host',
    },
    default: 'padrão',
    choices: 'valores',
    helpOption: 'exibe a ajuda do comando',
    helpCommand: 'exibe a ajuda do comando',
    version: 'exibe o número da versão',
    commands_: {
      probe:
        'Verifica os hosts inteligentes por trás de um conector do Exchange Online como o Exchange Online entrega a eles ' +
        '(consulta MX/A, TCP 25, saudação, EHLO, STARTTLS, TLS, certificado) e indica o código 450 que ele relataria.',
      explain:
        'explica um motivo colado do rastreamento de mensagens ou uma notificação de falha na entrega (NDR) (um argumento, ou "-" / nada para ler a entrada padrão) ' +
        'e verifica novamente o servidor e o endereço exato que ele indica',
      demo: 'inicia hosts inteligentes em loopback que falham de todas as formas que o Exchange Online relata, verifica cada um e imprime uma tabela',
      verify:
        'verificação pré-migração: verifica cada conector de uma exportação Get-OutboundConnector | ConvertTo-Json ' +
        '(ou os hosts inteligentes informados) como o Exchange Online faria, executa a lista de verificação e gera o relatório',
      serve: 'executa um exportador do Prometheus: GET /probe?target=NOME verifica um destino configurado; /metrics; / página de status',
      init: 'grava um exemplo comentado de configuração para verificações agendadas',
      check: 'verifica uma vez cada destino da configuração, registra o histórico e envia alertas (para o cron); código de saída = pior resultado',
      watch: 'permanece em execução: verifica cada destino no seu agendamento cron, registra o histórico e envia alertas',
      'config-schema': 'imprime o JSON Schema (draft 2020-12) do arquivo de configuração, para editores: # yaml-language-server: $schema=ARQUIVO',
      history: 'estado, contagem regressiva, disponibilidade, vencimento do certificado e a linha do tempo das mudanças de estado',
    },
    targetsArgument: 'nomes de hosts inteligentes, domínios (consultados por MX) ou endereços IP',
    textArgument: 'o texto colado (entre aspas), ou - para a entrada padrão',
    verifyTargetsArgument: 'hosts inteligentes a verificar como um único conector (em vez de --connectors)',
    flags: {
      'probe --targets':
        'modo de frota: verifica cada conector de ARQUIVO (um por linha: hosts e opções chave=valor; ou uma configuração de verificações agendadas, .yaml/.json)',
      'probe --json': 'imprime o resultado como JSON (esquema mailflow-probe/result@1)',
      'probe --output': 'text (padrão), json (como --json) ou nagios: uma linha de plug-in do Nagios/Icinga com dados de desempenho, saída 0-3',
      'probe --warning': 'com --output nagios: WARNING quando um certificado tem esse número de dias restantes ou menos (padrão 30)',
      'probe --critical': 'com --output nagios: CRITICAL quando um certificado tem esse número de dias restantes ou menos (padrão 7)',
      'probe --transcript': 'mostra o diálogo SMTP de cada caminho',
      'probe --no-color': 'sem cores (NO_COLOR também é respeitado)',
      'explain --offline': 'apenas explica: não envia nada',
      'explain --recheck': 'verifica novamente o servidor mesmo para um status fora dos códigos de conector (como 550 5.7.1)',
      'explain --server': 'o servidor a verificar novamente quando o texto colado não indica nenhum (ou em vez dele)',
      'explain --json': 'imprime o resultado como JSON (esquema mailflow-probe/explain@1)',
      'any --no-color': 'sem cores',
      'demo --json': 'imprime o resultado de cada caso como JSON',
      'demo --keep': 'mantém os servidores ativos após a tabela e imprime comandos probe, verify e serve para testar com eles, até Ctrl-C',
      'verify --connectors': 'a saída de Get-OutboundConnector | ConvertTo-Json ou de Get-OutboundConnector | Format-List',
      'verify --config': 'verifica os destinos de uma configuração de verificações agendadas (cada um com as próprias opções)',
      'verify --recipient-domain': 'um domínio de exemplo para uma entrada curinga de RecipientDomains (repetível)',
      'verify --rcpt-test': 'envia também MAIL FROM / RCPT TO / RSET (sem DATA) em cada caminho aprovado',
      'verify --send-test': 'envia também uma mensagem de teste real com o nodemailer e informa o ID dela na fila',
      'verify --max-message-size': 'o tamanho máximo de mensagem do Exchange Online que o host inteligente precisa aceitar (padrão 36MB)',
      'verify --report': 'grava um relatório HTML autocontido',
      'verify --json': 'imprime o relatório como JSON (esquema mailflow-probe/verify@1)',
      'verify --markdown': 'imprime o relatório em Markdown, para um chamado',
      'serve --config': 'a configuração das verificações agendadas: seus destinos e seu histórico para a página de status',
      'serve --targets': 'os destinos que ele pode verificar, um por linha (como em probe --targets)',
      'serve --listen': 'onde escutar (padrão 127.0.0.1:9125)',
      'serve --allow-any-target': 'verifica também ?target=HOST fora do arquivo de destinos (apenas endereços públicos)',
      'serve --allow-private': 'com --allow-any-target: também endereços de loopback, privados e de outros usos especiais',
      'serve --token-file': 'exige Authorization: Bearer <o token em ARQUIVO> (ou defina PROBE_EXPORTER_TOKEN)',
      'serve --max-concurrent': 'verificações simultâneas; além disso, 503 (padrão 32)',
      'serve --request-timeout': 'o tempo máximo de uma solicitação, em ms (padrão 30000)',
    },
    examples: `
Exemplos:
  probe smarthost.contoso.com
      MX primeiro, depois A/AAAA, todos os endereços; TLS certificate-validation (o padrão)
  probe mail1.contoso.com mail2.contoso.com --tls-domain '*.contoso.com'
      os dois hosts inteligentes de um conector com TlsSettings DomainValidation
  probe 203.0.113.25 --tls-mode encryption-only --json
      um endereço, TLS obrigatório mas qualquer certificado; resultado legível por máquina
  probe contoso.com --resolver 192.0.2.53 --transcript
      consulta um servidor DNS específico; mostra o diálogo SMTP de cada caminho
  probe demo
      todos os códigos de falha contra servidores de loopback integrados; sem rede
  probe contoso.com --no-policies
      uma rota MX sem o DANE, o MTA-STS e o TLS-RPT do domínio do destinatário (verificados por padrão)
  probe explain 'Reason: [{LED=450 4.4.317 Cannot connect to remote server …'
      lê um motivo do rastreamento de mensagens ou uma NDR e verifica novamente o servidor indicado
  probe smarthost.contoso.com --lang pt-BR
      o diagnóstico em português do Brasil (também escolhido por LANG=pt_BR.UTF-8)
`,
    exitCodes: 'Códigos de saída: 0 íntegro, 1 degradado, 2 com falha, 3 erro de uso, 130 cancelado.',
    codes: 'Códigos: {codes}',
    policyCodes: 'nas rotas MX, o DANE/MTA-STS do destinatário: {codes}',
  },
};

export const COMMAND_WORDS: Record<Language, CommandWords> = { en, 'pt-BR': ptBR };

/** The words of a language. */
export function commandWords(language: Language = 'en'): CommandWords {
  return COMMAND_WORDS[language];
}

/**
 * An envelope test's detail in `language`, from what it was said from: the session
 * driver's texts in their turn, the server's words as they are.
 *
 * @example
 * ```ts
 * envelopeText({ id: 'send-accepted', args: { reply: '250 OK: queued as 1A2B' } }, 'pt-BR'); // 'aceita: 250 OK: queued as 1A2B'
 * ```
 */
export function envelopeText(ref: EnvelopeTextRef, language: Language = 'en'): string {
  const w = commandWords(language).verify;
  const args: Record<string, string | number | ProbeTextRef> = { ...ref.args };
  if (typeof args.step === 'string' && args.step in w.envelopeSteps) args.step = w.envelopeSteps[args.step as EnvelopeStep];
  return fillTemplate(w.envelope[ref.id], args, (nested) => renderProbeText(nested, language));
}
