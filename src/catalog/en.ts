import type { CertificateReason, FailureKind } from '../../probes/stage.js';
import type { ExchangeCode } from '../result.js';

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
  codes: Record<ExchangeCode, CodeEntry>;
  /** The fix to try first for each kind of failure: more specific than the code's list. */
  kinds: Record<FailureKind, string>;
  /** The fix for each certificate reason (a 4.7.320 is always one of these). */
  reasons: Record<CertificateReason, string>;
  partner: string;
  /** Newer Exchange Online reports a name mismatch under 4.4.317. */
  mismatchNote: string;
}

export const en: Catalog = {
  codes: {
    '4.4.312': {
      status: '450 4.4.312 DNS query failed',
      title: 'DNS query failed',
      meaning:
        'Exchange Online could not look up the destination: the smart host or the recipient domain (its MX record, or the MX host\'s A/AAAA record) does not resolve.',
      causes: [
        'The domain\'s DNS hosting has a problem (its name servers fail or do not answer).',
        'The domain has expired, so its MX record cannot be retrieved.',
        'The MX record changed recently and Exchange Online still holds the old answer in its cache.',
      ],
      fixes: [
        'Work with the DNS hosting provider to fix the records: the smart host name (or the domain\'s MX and the MX host) must resolve from the internet.',
        'Renew the domain if it has expired.',
        'After a recent change, wait for the old records\' TTL to pass.',
      ],
    },
    '4.4.315': {
      status: '450 4.4.315 Connection timed out',
      title: 'Connection timed out',
      meaning: 'Exchange Online reached no server at the destination address: TCP port 25 did not answer before the timeout.',
      causes: [
        'The on-premises (or partner) mail server is down.',
        'The connector\'s smart host points at the wrong IP address, for example after a network change gave the server new addresses.',
        'A firewall silently drops the connections instead of refusing them.',
      ],
      fixes: [
        'Check that the server is up and listening on TCP 25.',
        'Check recent network changes (a new ISP means new public addresses) and update the smart host or its DNS record.',
        'Check that the connector\'s smart host names the right host.',
      ],
    },
    '4.4.316': {
      status: '450 4.4.316 Connection refused',
      title: 'Connection refused',
      meaning: 'The destination address answered but refused the connection on TCP port 25.',
      causes: [
        'A firewall blocks Microsoft 365\'s addresses on TCP port 25, or nothing listens on port 25.',
        'By design: the on-premises mail servers were shut down after moving all mailboxes to Exchange Online, but a connector still routes mail to them.',
      ],
      fixes: [
        'Allow Microsoft 365\'s IP address ranges to connect on TCP port 25, and make sure the mail service is listening.',
        'If no mail should go on-premises any more: disable or delete the connector, and change the accepted domain from Internal Relay to Authoritative (it takes 30 to 60 minutes to apply).',
      ],
    },
    '4.4.317': {
      status: '450 4.4.317 Cannot connect to remote server',
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
        'Read what the server said: its reply names the reason for the refusal.',
      ],
    },
    '4.4.318': {
      status: '450 4.4.318 Connection was closed abruptly',
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
      status: '450 4.7.320 Certificate validation failed',
      title: 'Certificate validation failed',
      meaning:
        'The server\'s certificate does not pass the connector\'s TLS setting: the chain is not trusted, the certificate is not valid now, or its name does not match.',
      causes: [
        'The certificate has expired.',
        'The certificate\'s subject does not match the name the connector requires (TlsDomain).',
        'The certificate is no longer valid: not trusted, incomplete chain, or revoked.',
      ],
      fixes: [
        'Fix the certificate on the server: renew it, install one whose name matches, and send the full chain.',
        'Or fix the connector, if its TlsSettings or TlsDomain is wrong.',
      ],
    },
    other: {
      status: null,
      title: 'Other delivery error',
      meaning: 'The delivery failed in a way that is not one of the connector codes above.',
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
    'tls-no-shared-cipher': 'Enable modern cipher suites (ECDHE with AES-GCM) for TLS 1.2 on the server.',
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
      'Install a certificate whose subject or subject alternative names cover the connector\'s TlsDomain (a wildcard *.contoso.com covers one label), or correct TlsDomain on the connector.',
    'self-signed':
      'Replace the self-signed certificate (an appliance or Exchange default) with one issued by a public certificate authority that Microsoft 365 trusts.',
    'untrusted-root':
      'The chain ends in a private or untrusted root: use a certificate from a public certificate authority that Microsoft 365 trusts.',
    'incomplete-chain':
      'Configure the server to send its intermediate certificate(s) with its own (the full chain, without the root): the fix is on the server, not in Exchange Online, which does not fetch missing intermediates.',
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
};
