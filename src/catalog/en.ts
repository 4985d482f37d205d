import type { CertificateReason, FailureKind } from '../../probes/stage.js';
import { CONNECTOR_CODES, CONNECTOR_STATUS, POLICY_STATUS, type CodeSubject, type PolicyCode, type WhoActs } from '../core/exchange-text.js';
import type { ReportForm } from '../explain/explain.js';
import type { ExchangeCode } from '../core/result.js';
import type { Language } from './index.js';

/** One code as Microsoft documents it ("Mail flow intelligence" for connectors), in our words. */
export interface CodeEntry {
  /** The status line Exchange Online writes, or null for "other". */
  status: string | null;
  title: string;
  meaning: string;
  causes: string[];
  fixes: string[];
}

export interface Catalog {
  /** The catalog's language (renderers pick the matching tables of other texts by it). */
  language: Language;
  codes: Record<ExchangeCode, CodeEntry>;
  /** The fix to try first for each kind of failure: more specific than the code's list. */
  kinds: Record<FailureKind, string>;
  /** The fix for each certificate reason (a 4.7.320 is always one of these). */
  reasons: Record<CertificateReason, string>;
  partner: string;
  /** Newer Exchange Online reports a name mismatch under 4.4.317. */
  mismatchNote: string;
  /** The fixed words of the reports (text report, `probe explain`, policies). */
  headings: Headings;
  /** The codes Exchange Online gives when a recipient domain's DANE or MTA-STS policy is not met. */
  policyCodes: Record<PolicyCode, CodeEntry>;
  /** An MTA-STS enforce refusal for which Exchange documents no code of its own. */
  policyOther: CodeEntry;
  /** Who fixes a policy failure: the recipient domain's administrator. */
  policyPartner: string;
}

/**
 * Report wording. `{name}` placeholders are filled by `fill()`; every language has the
 * same keys (test/catalog.test.ts holds that).
 */
export interface Headings {
  verdicts: Record<'healthy' | 'degraded' | 'failing', string>;
  cancelled: string;
  /** `{passed} of {total} paths pass` */
  pathsPass: string;
  otherCode: string;
  noAddress: string;
  transcript: string;
  diagnosis: string;
  otherPrefix: string;
  whatHappened: string;
  stage: string;
  serverSaid: string;
  meaning: string;
  fixFirst: string;
  causes: string;
  fixes: string;
  partner: string;
  note: string;
  exchangeWouldReport: string;
  stillFlows: string;
  explain: {
    title: string;
    forms: Record<ReportForm, string>;
    /** The paste was quoted-printable and was decoded first. */
    decodedQp: string;
    /** The label of a quoted Windows socket error. */
    winsock: string;
    /** `Not a connector code: {code}` */
    otherTitle: string;
    /** What a code outside the connector family is about, by RFC 3463 subject. */
    otherMeaning: Record<CodeSubject, string>;
    /** Who has to act on a code outside the connector family. */
    whoActs: Record<WhoActs | 'unknown', string>;
    notRechecked: string;
    /** The fix first for a connection attempt Windows aborted (Winsock 995): no session began. */
    connectAborted: string;
    code: string;
    status: string;
    expired: string;
    remoteSaid: string;
    server: string;
    ip: string;
    when: string;
    proxy: string;
    redacted: string;
    truncated: string;
    notGiven: string;
    liveCheck: string;
    offline: string;
    noTarget: string;
    /** `re-check of {target}` */
    checkOf: string;
    same: string;
    /** `different: now {code}` */
    different: string;
    healthy: string;
    equivalent: string;
    /** The fix first when the server's reply says it requires STARTTLS. */
    starttlsRequired: string;
  };
  policies: {
    title: string;
    notMx: string;
    dane: string;
    mtaSts: string;
    tlsRpt: string;
    none: string;
    dnssec: string;
    dnssecSecure: string;
    dnssecInsecure: string;
    dnssecBogus: string;
    records: string;
    mode: string;
    mx: string;
    maxAge: string;
    satisfied: string;
    notSatisfied: string;
    senderWould: string;
    exchangeCode: string;
    noCode: string;
    problem: string;
    unusable: string;
    actions: Record<'deliver' | 'deliver-and-report' | 'refuse', string>;
  };
}

export const en: Catalog = {
  language: 'en',
  codes: {
    '4.4.312': {
      status: CONNECTOR_STATUS['4.4.312'],
      title: 'DNS query failed',
      meaning:
        'Exchange Online could not look up the destination: the DNS query for the smart host, or for the recipient domain (its MX record, or the MX host\'s A/AAAA record), failed or found no record.',
      causes: [
        'The domain\'s DNS hosting has a problem: its authoritative name servers fail or do not answer.',
        'The domain has expired, so its MX record cannot be retrieved.',
        'The MX record changed recently and Exchange Online still holds the old answer in its cache.',
      ],
      fixes: [
        'Work with the DNS hosting provider to fix the domain\'s authoritative name servers and records: the smart host name (or the domain\'s MX and the MX host) must resolve from the internet.',
        'Renew the domain if it has expired.',
        'After a recent change, wait for the old records\' TTL to pass.',
      ],
    },
    '4.4.315': {
      status: CONNECTOR_STATUS['4.4.315'],
      title: 'Connection timed out',
      meaning: 'Exchange Online got no answer from the destination address: the connection to TCP port 25 timed out before the server responded.',
      causes: [
        'The on-premises (or partner) mail server is down.',
        'The connector\'s smart host points at the wrong IP address, for example after a network change (a new ISP) gave the server new public addresses.',
        'A firewall silently drops the connections instead of refusing them.',
      ],
      fixes: [
        'If mail was flowing and the connector has not changed, look at your own environment first: check that the server is up and listening on TCP 25.',
        'Check recent network changes (a new ISP means new public addresses) and update the smart host\'s DNS record, or the smart host in the connector.',
        'Check which smart host the connector from Office 365 to your organization\'s email server names (Exchange admin center, Mail flow > Connectors).',
      ],
    },
    '4.4.316': {
      status: CONNECTOR_STATUS['4.4.316'],
      title: 'Connection refused',
      meaning: 'The destination address answered but refused the connection on TCP port 25.',
      causes: [
        'A firewall blocks Microsoft 365\'s addresses on TCP port 25, or nothing listens on port 25.',
        'By design: the on-premises mail servers were shut down after all mailboxes moved to Exchange Online, but a connector still routes mail to them.',
      ],
      fixes: [
        'If you still have mailboxes on-premises: allow Microsoft 365\'s IP address ranges to connect to the on-premises mail server on TCP port 25, and make sure its mail service is listening.',
        'If no mail should go on-premises any more: use the alert\'s "Fix now", which makes Exchange Online reject messages to invalid recipients at once, so the organization does not exceed its quota of invalid recipients.',
        'Then, in the Exchange admin center (Mail flow > Connectors), disable or delete the connector from Office 365 to your organization\'s email server, and change the accepted domain from Internal Relay to Authoritative.',
        'These changes take 30 to 60 minutes to apply: after an hour, confirm that the error is gone.',
      ],
    },
    '4.4.317': {
      status: CONNECTOR_STATUS['4.4.317'],
      title: 'Cannot connect to remote server',
      meaning:
        'Exchange Online connected, but the server answered with an error (for example "Service not available") or does not meet the connection\'s requirements (for example the connector requires TLS and the server does not offer it).',
      causes: [
        'The server refuses the session: an error greeting, or EHLO or STARTTLS rejected.',
        'The connector requires TLS and the server does not offer STARTTLS, offers only TLS 1.0/1.1, or shares no cipher suite with Exchange Online.',
        'A certificate or TLS setting on the server does not match what the connector expects.',
      ],
      fixes: [
        'Check the TLS settings and the certificate on the destination server.',
        'Check the TLS settings of the connector (TlsSettings, TlsDomain) against what the server offers.',
        'When the server answered with an error, read its reply (the message trace quotes it in [Message=…]): it names the reason for the refusal.',
      ],
    },
    '4.4.318': {
      status: CONNECTOR_STATUS['4.4.318'],
      title: 'Connection was closed abruptly',
      meaning: 'Exchange Online connected, then the connection was dropped or stalled before the dialogue could finish.',
      causes: [
        'A firewall\'s SMTP packet inspection misbehaves and cuts or mangles the session.',
        'The mail server hangs, crashes or runs out of resources and drops the connection.',
        'Network problems between Exchange Online and the server.',
      ],
      fixes: [
        'Find which applies: check the server\'s health and logs at the time of the failure.',
        'Turn off SMTP inspection ("fixup smtp", ESMTP inspection) on the firewall in front of the server.',
        'Involve the network team to trace the connection.',
      ],
    },
    '4.7.320': {
      status: CONNECTOR_STATUS['4.7.320'],
      title: 'Certificate validation failed',
      meaning:
        'The server\'s certificate does not pass the connector\'s TLS setting: the chain is not trusted, the certificate is not valid now or has been revoked, or (under DomainValidation) its name does not match the connector\'s TlsDomain.',
      causes: [
        'The certificate has expired.',
        'Under DomainValidation, the certificate\'s subject (and subject alternative names) do not match the connector\'s TlsDomain. Exchange Online checks the name only there: under CertificateValidation it validates the chain and checks revocation, not the name.',
        'The certificate is no longer valid: not trusted, incomplete chain, or revoked.',
      ],
      fixes: [
        'Fix the certificate on the server: renew it, install one whose name matches, and send the full chain.',
        'Or fix the connector, if its TlsSettings, TlsDomain or smart host is wrong, so the queued messages can be delivered.',
      ],
    },
    other: {
      status: null,
      title: 'Other delivery error',
      meaning: `The delivery failed in a way that matches none of the connector codes Microsoft documents (${CONNECTOR_CODES.join(', ')}).`,
      causes: ['The destination server behaves in a way Exchange Online does not expect (for example it does not speak SMTP).'],
      fixes: ['Use the destination server named in the error and what it sent to find the problem there.'],
    },
  },
  kinds: {
    'dns-nxdomain': 'The name does not exist in DNS: correct the smart host name in the connector, or create the record.',
    'dns-servfail': 'The domain\'s name servers fail to answer (SERVFAIL): fix the DNS zone with the DNS hosting provider (often broken delegation or DNSSEC).',
    'dns-refused': 'The DNS server refused to answer: check the zone\'s name servers with the DNS hosting provider.',
    'dns-timeout': 'The DNS servers did not answer in time: check that the domain\'s name servers are up and reachable.',
    'dns-no-address': 'The name exists but has no A or AAAA record: add the address record for the mail server.',
    'dns-null-mx': 'The domain publishes a null MX (RFC 7505), which says it accepts no mail: remove it, or stop routing mail to this domain.',
    'dns-error': 'DNS did not give a usable answer: check the records with the DNS hosting provider.',
    'connect-timeout': 'Nothing answered on TCP 25: check the server is up, the address is right, and no firewall silently drops the traffic.',
    'connect-unreachable': 'The address cannot be reached: check routing and the smart host address.',
    'connect-refused': 'Port 25 refused the connection: allow Microsoft 365\'s address ranges on TCP 25 in the firewall and check the mail service is listening.',
    reply: 'The server answered with an error: fix what its reply names, on the server or its receive connector.',
    'starttls-not-offered': 'The connector requires TLS but the server does not offer STARTTLS: enable TLS (with a certificate) on the server\'s receive connector, or check that no firewall strips STARTTLS.',
    'tls-version': 'Enable TLS 1.2 (and 1.3) on the server: Exchange Online never uses TLS 1.0 or 1.1.',
    'tls-no-shared-cipher': 'Enable modern cipher suites (ECDHE with AES-GCM) for TLS 1.2 on the server, and the key-exchange groups Exchange Online offers (X25519, P-256, P-384).',
    'tls-handshake': 'The TLS handshake failed: check the server\'s certificate and TLS configuration, and that no firewall inspects or rewrites the session.',
    timeout: 'The server stopped answering mid-session: check its health and load, and any firewall that inspects SMTP.',
    closed: 'The server closed the connection mid-session: check its logs, its connection limits, and any firewall that inspects SMTP.',
    reset: 'The connection was reset mid-session: check firewalls and load balancers in the path, and the server\'s logs.',
    certificate: 'Fix the certificate on the server, or the connector\'s TLS settings.',
    protocol: 'The service on port 25 does not speak SMTP: check that the smart host points at the mail server, not another service.',
    cancelled: 'The probe was cancelled before it finished.',
    internal: 'An unexpected error occurred: run again with --json and report it.',
  },
  reasons: {
    expired:
      'Renew the certificate and install the new one on the server, with its intermediates, and bind it to SMTP (Exchange Server: Enable-ExchangeCertificate -Services SMTP); then remove the expired one.',
    'not-yet-valid':
      'The certificate is not valid yet: check the server\'s clock and time zone, or install a certificate whose validity has already begun.',
    'name-mismatch':
      'Install a certificate whose subject or subject alternative names cover the connector\'s TlsDomain, the name Exchange Online checks under DomainValidation (a wildcard *.contoso.com covers one label), or correct TlsDomain on the connector.',
    'self-signed':
      'Replace the self-signed certificate (an appliance or Exchange default) with one issued by a public certificate authority that Microsoft 365 trusts.',
    'untrusted-root':
      'The chain ends in a private or untrusted root: use a certificate from a public certificate authority that Microsoft 365 trusts.',
    'incomplete-chain':
      'Configure the server to send its intermediate certificate(s) with its own (the full chain, without the root): the fix is on the server, not in Exchange Online (which is not documented to fetch missing intermediates).',
    'unknown-issuer':
      'The issuer is neither sent nor trusted: send the full chain from the server, and use a certificate from a public certificate authority.',
    revoked:
      'The certificate was revoked by its CA and is no longer valid: obtain a new certificate (a new key if the old one may be compromised), install it and bind it to SMTP.',
    'revocation-unknown':
      'Make the CA\'s CRL distribution point reachable over HTTP from the internet (or have the server staple a valid OCSP response), or run with --revocation soft to accept an unknown status.',
    invalid: 'Replace the certificate with a valid one from a public certificate authority.',
  },
  partner:
    'If this smart host belongs to a partner organization (for example a third-party cloud service), the partner has to fix it: send them this report.',
  mismatchNote:
    'Newer Exchange Online reports a certificate name mismatch under 450 4.4.317 (with "SubjectMismatch Expected Subject: … Presented Subject: …") rather than 4.7.320: look for either in the message trace.',
  headings: {
    verdicts: { healthy: 'HEALTHY', degraded: 'DEGRADED', failing: 'FAILING' },
    cancelled: 'CANCELLED',
    pathsPass: '{passed} of {total} paths pass',
    otherCode: 'other (not a connector code)',
    noAddress: '(no address)',
    transcript: 'transcript:',
    diagnosis: 'Diagnosis',
    otherPrefix: 'other',
    whatHappened: 'What happened',
    stage: 'stage',
    serverSaid: 'Server said',
    meaning: 'Meaning',
    fixFirst: 'Fix first',
    causes: 'Causes',
    fixes: 'Fixes',
    partner: 'Partner',
    note: 'Note',
    exchangeWouldReport: 'Exchange Online would report:',
    stillFlows: 'Mail would still flow, but not on every path:',
    explain: {
      title: 'Explained',
      forms: {
        trace: 'message-trace Defer reason',
        'trace-short': 'message-trace reason (short form)',
        bounce: 'bounce (NDR) after the queue lifetime',
        status: 'status line',
        dotted: 'status line with the detail after its title',
        ndr: 'bounce (NDR): "Server at … returned …"',
        queue: 'on-premises or hybrid Exchange queue error',
        chained: 'chained expiry bounce (the innermost cause decides)',
        other: 'status outside the connector codes',
      },
      decodedQp: 'The paste was quoted-printable (as in a raw bounce): it was decoded first.',
      winsock: 'Windows socket error',
      otherTitle: 'Not a connector code: {code}',
      otherMeaning: {
        address: 'the recipient address was refused or does not exist',
        mailbox: 'the recipient mailbox cannot take the message (full, disabled or over a limit)',
        system: 'the receiving mail system cannot take the message',
        network: 'delivery to the receiving network or route failed',
        protocol: 'the SMTP dialogue broke a rule of the receiving server',
        content: 'the message content was refused',
        security: 'the receiving side refused the sender by policy or reputation',
      },
      whoActs: {
        sender: 'Who acts: the sender (correct the address or the message, then send again).',
        recipient: "Who acts: the recipient's administrator (their server or filter refused the message; ask them to allow or delist the sending address, or fix their side).",
        microsoft: "Who acts: Microsoft, with the sending tenant's administrator (Exchange Online itself blocked or limited the sending; see the Microsoft 365 Defender restricted entities, or open a case).",
        unknown: 'Who acts: read the status text; the code does not say.',
      },
      connectAborted:
        "The connection attempt was aborted before any SMTP session began (Windows error 995): check that the server is up and reachable on TCP 25 from Microsoft 365's addresses, and that no firewall or load balancer drops or cuts the attempt.",
      notRechecked: 'Not re-checked: this code is not about the connection to the smart host (use --recheck to probe the server anyway).',
      code: 'Code',
      status: 'Status',
      expired: 'The message expired in the queue and was returned to the sender: the last deferral was this code.',
      remoteSaid: 'Detail',
      server: 'Server',
      ip: 'Address',
      when: 'Last attempt',
      proxy: 'Proxy target',
      redacted: 'Redacted',
      truncated: 'The paste looks truncated: what it holds was read, the rest is missing.',
      notGiven: '(not in the paste)',
      liveCheck: 'Live re-check',
      offline: 'Not re-checked (--offline).',
      noTarget: 'Not re-checked: the paste names no usable server or address (give one with --server).',
      checkOf: 're-check of {target}',
      same: 'the failure still holds (same code)',
      different: 'it fails differently now: {code}',
      healthy: 'now healthy: the failure no longer holds',
      equivalent: 'the same failure: Exchange reports a name mismatch under either 4.4.317 or 4.7.320',
      starttlsRequired:
        'The server requires TLS, but Exchange Online reached it without TLS: the server did not offer STARTTLS to Exchange Online (check the receive connector that answers Microsoft 365\'s addresses, and any firewall that strips STARTTLS), or the TLS upgrade failed and Exchange fell back; set the connector to require TLS to see the real cause.',
    },
    policies: {
      title: 'Transport security policies of {domain}',
      notMx: 'Not an MX route: DANE and MTA-STS apply only when Exchange Online delivers by MX.',
      dane: 'DANE (RFC 7672)',
      mtaSts: 'MTA-STS (RFC 8461)',
      tlsRpt: 'TLS-RPT (RFC 8460)',
      none: 'none published',
      dnssec: 'DNSSEC',
      dnssecSecure: 'validated: the resolver set the AD bit',
      dnssecInsecure: 'not validated: no AD bit (the zone is unsigned, or this resolver does not validate DNSSEC); DANE is not in effect from this view',
      dnssecBogus: 'the resolver could not validate the records (SERVFAIL): a DANE sender treats this as bogus DNSSEC',
      records: 'Records',
      mode: 'Mode',
      mx: 'MX patterns',
      maxAge: 'max_age',
      satisfied: 'satisfied',
      notSatisfied: 'NOT satisfied',
      senderWould: 'A sender that honours it',
      exchangeCode: 'Exchange Online would report',
      noCode: 'no documented code',
      problem: 'Problem',
      unusable: 'unusable for SMTP, RFC 7672 §3.1.3',
      actions: {
        deliver: 'deliver',
        'deliver-and-report': 'deliver, and report the failure (TLS-RPT)',
        refuse: 'not deliver to this host',
      },
    },
  },
  policyCodes: {
    '4.7.321': {
      status: POLICY_STATUS['4.7.321'],
      title: 'starttls-not-supported',
      meaning: 'The destination requires TLS (a DANE TLSA record or an MTA-STS policy in enforce mode) but its mail server does not offer STARTTLS. Exchange Online queues the message and, when it gives up, bounces it with 5.7.321 starttls-not-supported.',
      causes: ['STARTTLS is disabled on the receiving server, or a firewall strips it from the EHLO reply.'],
      fixes: ['Enable STARTTLS with a valid certificate on every MX host, and turn off SMTP inspection that removes it.'],
    },
    '4.7.322': {
      status: POLICY_STATUS['4.7.322'],
      title: 'certificate-expired',
      meaning: 'The destination mail server\'s certificate has expired, so a sender validating it under DANE or MTA-STS will not deliver. Exchange Online queues the message and, when it gives up, bounces it with 5.7.322 certificate-expired.',
      causes: ['The certificate on the MX host was not renewed, or the renewed one was not bound to SMTP.'],
      fixes: ['Renew the certificate, bind it to SMTP and, under DANE, publish the new TLSA record before switching (RFC 7671 §8.1 rollover).'],
    },
    '4.7.323': {
      status: POLICY_STATUS['4.7.323'],
      title: 'tlsa-invalid',
      meaning: 'The domain failed DANE validation: no usable TLSA record at _25._tcp.<mx host> matches the certificate the server presents. Exchange Online queues the message and, when it gives up, bounces it with 5.7.323 tlsa-invalid.',
      causes: [
        'The certificate (or key) changed and the TLSA record was not updated.',
        'The TLSA records use only usages 0 or 1 (PKIX-TA, PKIX-EE), which RFC 7672 §3.1.3 says SMTP senders treat as unusable.',
      ],
      fixes: ['Publish a TLSA record of usage 3 (DANE-EE) or 2 (DANE-TA) that matches the certificate now served, then remove the stale one.'],
    },
    '4.7.324': {
      status: POLICY_STATUS['4.7.324'],
      title: 'dnssec-invalid',
      meaning: 'The destination domain returned invalid DNSSEC records: the TLSA lookup failed validation, so a DANE sender cannot tell whether TLS is required. Exchange Online queues the message and, when it gives up, bounces it with 5.7.324 dnssec-invalid.',
      causes: ['Broken DNSSEC in the zone: expired signatures, a DS record that no longer matches the key, or name servers that fail TLSA queries.'],
      fixes: ['Fix the zone\'s DNSSEC with the DNS hosting provider (re-sign, correct the DS at the registrar), and make sure TLSA queries get an answer.'],
    },
    '4.7.325': {
      status: POLICY_STATUS['4.7.325'],
      title: 'certificate-host-mismatch',
      meaning: 'Under DANE or MTA-STS, the destination mail server\'s certificate does not name the MX host Exchange Online connected to. Exchange Online queues the message and, when it gives up, bounces it with 5.7.325 certificate-host-mismatch.',
      causes: ['The certificate on the MX host lacks the MX host name in its subject alternative names (a default or internal certificate is bound to SMTP).'],
      fixes: ['Bind a certificate to SMTP whose subject alternative names include every MX host name, and under DANE keep the TLSA record in step with it.'],
    },
  },
  policyOther: {
    status: null,
    title: 'MTA-STS policy not satisfied',
    meaning: 'The recipient domain publishes an MTA-STS policy in enforce mode that this MX host does not satisfy, so Exchange Online (which honours MTA-STS when it delivers by MX) will not deliver there. Microsoft documents no 4.7.32x code of its own for this case.',
    causes: [
      'The MX host is not covered by any mx: line of the policy (a new or renamed MX host, a typo in the pattern).',
      'The certificate is not trusted by a public root or does not carry the MX host name.',
    ],
    fixes: [
      'Add the MX host to the mx: lines of the policy at https://mta-sts.<domain>/.well-known/mta-sts.txt and change the id= of the _mta-sts TXT record, or fix the MX record.',
      'Serve a publicly trusted certificate that names the MX host.',
    ],
  },
  policyPartner:
    "The recipient domain's DNS and mail administrators have to fix it (its TLSA records, DNSSEC, MTA-STS policy or MX hosts): send them this report. Changing your connector does not help: Exchange Online applies the recipient's policy whenever it delivers by MX.",
};
