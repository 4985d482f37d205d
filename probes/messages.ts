/**
 * The English prose of the wire facts — stage details, failure messages, warnings and
 * notes — written once, as templates with ids. `say(id, args)` fills a template and keeps
 * the id and arguments next to the English text, so a report in another language
 * (src/catalog/probe-text.ts, which holds the translations under the same ids) renders the
 * same fact from its id; the English text stays what the JSON has always said.
 *
 * An argument is data (a name, an address, a number, the server's own words) or another
 * said text (a nested reason), which is translated in its turn.
 */
export const MESSAGES = {
  // TCP
  'tcp.failed': '{ip} port {port}: {reason}',
  'tcp.refused': 'the connection was refused (TCP reset)',
  'tcp.timed-out': 'the connection attempt timed out',
  'tcp.no-route': 'no route to the host',
  'tcp.network-unreachable': 'the network is unreachable',
  'tcp.host-down': 'the host is down',
  'tcp.network-down': 'the network is down',
  'tcp.address-unavailable': 'the address cannot be reached from here',
  'tcp.accepted-then-reset': 'the server accepted the connection and then reset it',
  'tcp.source-family': '{ip} port {port}: cannot connect from source address {source}: it is IPv{sourceFamily}, the path IPv{pathFamily}',
  'tcp.no-time': 'no time left to connect',
  'tcp.no-answer': 'no answer to the connection attempt',
  'tcp.connected': 'connected to {address}',
  'tcp.connected-from': 'connected to {address} from {source}',
  // any stage
  'window.timeout': '{what} within {ms} ms',
  cancelled: 'cancelled by the user',
  // DNS (`what` is dns.host or dns.domain)
  'dns.host': 'host',
  'dns.domain': 'domain',
  'dns.nxdomain': '{what} {name} does not exist (NXDOMAIN)',
  'dns.servfail': '{what} {name} could not be resolved: the DNS server answered SERVFAIL',
  'dns.refused': '{what} {name} could not be resolved: the DNS server refused the query',
  'dns.no-reply': '{what} {name} could not be resolved: the DNS server did not answer',
  'dns.unreachable': '{what} {name} could not be resolved: the DNS server is not reachable',
  'dns.malformed': '{what} {name} could not be resolved: the DNS server sent a malformed answer',
  'dns.formerr': '{what} {name} could not be resolved: the DNS server could not parse the query',
  'dns.notimp': '{what} {name} could not be resolved: the DNS server does not implement the query',
  'dns.error': '{what} {name} could not be resolved ({error})',
  'dns.no-answer': 'no DNS answer for {what} {name}',
  'dns.no-address': 'host {host} has no A or AAAA record',
  'dns.null-mx': 'domain {domain} publishes a null MX (RFC 7505): it accepts no mail',
  'dns.via-mx': 'MX {preference} {host}',
  'dns.via-ip': 'IP address',
  'dns.host-failed': '{via}: {reason}',
  'dns.resolved': '{via} → {addresses}',
  // SMTP
  'smtp.closed': 'the server closed the connection',
  'smtp.closed-mid-reply': 'the server closed the connection in the middle of a reply',
  'smtp.reset': 'the connection was reset',
  'smtp.socket-error': 'socket error: {error}',
  'smtp.line-too-long': 'a reply line longer than {bytes} bytes',
  'smtp.not-a-reply': 'the server sent something that is not an SMTP reply',
  'smtp.code-changed': 'a multi-line reply changed its code from {from} to {to}',
  'smtp.reply-too-long': 'a reply longer than {lines} lines or {kib} KiB',
  'smtp.unrequested': 'the server sent replies to commands nobody sent',
  'smtp.no-greeting': 'no greeting',
  'smtp.no-reply': 'no reply to {command}',
  'smtp.greeted-with': 'the server greeted with {reply}',
  'smtp.no-ehlo-name': 'no EHLO name: the session sets the address literal once connected',
  'smtp.ehlo-helo-rejected': 'the server rejected EHLO and HELO: {reply}',
  'smtp.ehlo-rejected': 'the server rejected EHLO: {reply}',
  'smtp.starttls-refused': 'the server refused STARTTLS: {reply}',
  'smtp.helo-accepted': 'HELO accepted (the server rejected EHLO: no extensions)',
  'smtp.capabilities': '{server}: {keywords}',
  'smtp.no-extensions': '{server}: (no extensions)',
  'smtp.starttls-not-offered': 'the connector requires TLS ({mode}) but the server does not offer STARTTLS',
  'smtp.quit-no-reply': 'no reply (the server closed the connection)',
  'smtp.mail-refused': 'MAIL FROM was refused: {reply}',
  'smtp.rcpt-refused': 'RCPT TO:<{to}> was refused: {reply}',
  'smtp.rset-refused': 'RSET was refused: {reply}',
  'smtp.data-refused': 'DATA was refused: {reply}',
  'smtp.message-refused': 'the message was refused: {reply}',
  // TLS
  'tls.protocol-alert': 'the server does not offer TLS 1.2 or later (protocol_version alert); Exchange Online requires TLS 1.2 or later',
  'tls.below-1.2': 'the server chose a TLS version below 1.2; Exchange Online requires TLS 1.2 or later',
  'tls.no-version': 'no TLS version in common; Exchange Online requires TLS 1.2 or later',
  'tls.handshake-alert': 'the server aborted the handshake (handshake_failure alert): usually no cipher suite or key-exchange group in common',
  'tls.no-cipher': 'no cipher suite in common',
  'tls.reset': 'the connection was reset during the TLS handshake',
  'tls.closed': 'the server closed the connection during the TLS handshake',
  'tls.failed': 'TLS negotiation failed: {reason}',
  'tls.incomplete': 'the TLS handshake did not complete',
  'tls.only-legacy': 'the server offers only {versions}; Exchange Online requires TLS 1.2 or later',
  'tls.and': '{first} and {last}',
  // the prober's own notes in the transcript (`* …`)
  'session.tls-established': 'TLS established: {protocol} {cipher}',
  'session.plain-retry': 'TLS upgrade failed: a new connection without STARTTLS, as Exchange Online retries',
  'tls.legacy-probed': 'probed {versions} on new connections: {outcome}',
  'tls.legacy-offered': 'offered {versions}',
  'tls.legacy-none': 'none completed',
  // certificate
  'cert.the-certificate': 'the certificate',
  'cert.the-certificate-named': 'the certificate {subject}',
  'cert.chain-certificate': 'the chain certificate {subject}',
  'cert.intermediate': 'the intermediate certificate {subject}',
  'cert.expired': '{which} expired on {date}',
  'cert.not-yet-valid': 'the certificate is not valid before {date}',
  'cert.self-signed': 'the certificate is self-signed',
  'cert.untrusted-root': 'the chain ends in a root that is not trusted ({subject})',
  'cert.missing-intermediate': 'the server does not send the intermediate certificate ({issuer}) that links its certificate to a trusted root',
  'cert.unknown-issuer': 'the issuer {issuer} is not a trusted root and the server did not send it: an untrusted CA, or a missing intermediate',
  'cert.revoked-verify': 'the certificate has been revoked by its CA: it is no longer valid',
  'cert.bad-signature': 'a signature in the certificate chain does not verify (the certificate was altered, or is paired with the wrong issuer)',
  'cert.invalid': 'the certificate chain did not verify ({error})',
  'cert.none-presented': 'the server presented no certificate',
  'cert.name-mismatch': 'the certificate is for {names}, not {required}',
  'cert.no-names': '(no names)',
  'cert.revoked': '{which} has been revoked by its CA: it is no longer valid ({detail})',
  'cert.revocation-unknown-hard': 'the revocation status of {which} cannot be established (--revocation hard): {detail}',
  'cert.revocation-unavailable':
    'the revocation status of {which} could not be established: {detail}. Exchange Online checks revocation; make the CRL reachable over HTTP (or staple a valid OCSP response).',
  'cert.revocation-not-checked': 'revocation not checked: TLS mode {mode} does not validate the certificate',
  'cert.weak-signature':
    '{which} is signed with {hash} ({algorithm}): public CAs stopped issuing such certificates in 2016, Microsoft no longer trusts them for TLS, and OpenSSL at its default security level rejects the chain; Exchange Online may refuse it with 450 4.7.320. Reissue it signed with SHA-256.',
  'cert.weak-key':
    '{which} has a {bits}-bit {type} key: CAs require at least 2048-bit RSA (or ECDSA P-256) and modern TLS stacks refuse shorter keys. Generate a new key of 2048 bits or more and reissue the certificate.',
  'cert.summary': '{subject}; {judged}; {validity}{revocation}',
  'cert.trusted': 'trusted',
  'cert.trusted-matches': 'trusted, matches {name}',
  'cert.not-validated': 'not validated ({mode})',
  'cert.not-revoked': '; not revoked ({source})',
  'cert.expired-ago': 'expired {date} ({days} days ago)',
  'cert.expires-in': 'expires {date} ({days} days)',
  'cert.no-certificate': 'no certificate',
  // revocation
  'rev.ocsp-error': 'the stapled OCSP response is an error ({status})',
  'rev.ocsp-not-basic': 'the stapled OCSP response is not a basic OCSP response',
  'rev.ocsp-unparsable': 'the stapled OCSP response does not parse',
  'rev.ocsp-signer': "the stapled OCSP response is not signed by the certificate's issuer or its responder ({error})",
  'rev.ocsp-bad-signature': "the stapled OCSP response's signature does not verify",
  'rev.ocsp-unmatched': 'the stapled OCSP response cannot be matched to the certificate',
  'rev.ocsp-other-certificate': 'the stapled OCSP response is about another certificate',
  'rev.ocsp-future': 'the stapled OCSP response is dated in the future ({date})',
  'rev.ocsp-stale': 'the stapled OCSP response is stale (its nextUpdate {date} has passed)',
  'rev.ocsp-good': 'the stapled OCSP response says good',
  'rev.ocsp-revoked': 'the stapled OCSP response says revoked',
  'rev.ocsp-revoked-since': 'the stapled OCSP response says revoked since {date}',
  'rev.ocsp-unknown': 'the stapled OCSP response says unknown (the responder does not know the certificate)',
  'rev.crl-unavailable': 'the CRL at {url} could not be fetched: {why}',
  'rev.crl-unparsable': 'the CRL at {url} does not parse',
  'rev.crl-signer': "the CRL at {url} is not signed by the certificate's issuer",
  'rev.crl-stale': 'the CRL at {url} is stale (its nextUpdate {date} has passed)',
  'rev.crl-revoked': 'the CRL at {url} lists the certificate as revoked',
  'rev.crl-revoked-since': 'the CRL at {url} lists the certificate as revoked since {date}',
  'rev.crl-good': 'the CRL at {url} does not list the certificate',
  'rev.off': 'revocation not checked (--revocation off)',
  'rev.issuer-unknown': 'the issuer is unknown, so revocation cannot be checked',
  'rev.only-ocsp': 'the server staples no OCSP response and the certificate names no HTTP CRL (only an OCSP responder, {url}, which the prober does not query)',
  'rev.no-source': 'the certificate names no CRL distribution point or OCSP responder, and the server staples no OCSP response',
  'rev.unparsable': 'the certificate does not parse, so revocation cannot be checked',
  'rev.both': '{first}; {rest}',
  // the recipient's DANE/MTA-STS/TLS-RPT (src/policies/)
  'policy.no-ehlo': 'the SMTP session did not get as far as EHLO',
  'policy.no-starttls': 'the host does not offer STARTTLS',
  'policy.tls-incomplete': 'the TLS handshake did not complete',
  'policy.expired': 'the certificate expired on {date}',
  'policy.no-mx-name': 'the certificate does not carry the MX host name {host}',
  'policy.not-satisfied': 'the policy is not satisfied',
  'policy.tlsa-lookup-failed': 'the TLSA lookup failed: {error}',
  'policy.dane-not-validated': 'the TLSA records are not DNSSEC-validated (no AD bit): DANE senders ignore them',
  'policy.dane-bogus': 'the TLSA records failed DNSSEC validation',
  'policy.dane-no-starttls': 'the host publishes TLSA records but does not offer STARTTLS',
  'policy.dane-unusable': 'no usable TLSA record (only PKIX-TA/PKIX-EE or unknown parameters): TLS is required but not authenticated',
  'policy.dane-no-certificate': 'no certificate to compare: the TLS handshake did not complete',
  'policy.dane-no-match-one': 'no TLSA record matches the certificate the server presents ({count} usable record at {name})',
  'policy.dane-no-match': 'no TLSA record matches the certificate the server presents ({count} usable records at {name})',
  'policy.sts-lookup-failed': 'the _mta-sts TXT lookup failed: {error}',
  'policy.sts-several': 'more than one v=STSv1 record: senders treat the domain as having no policy',
  'policy.sts-no-version': 'the record does not start with v=STSv1',
  'policy.sts-no-id': 'the record has no valid id= (1 to 32 letters and digits)',
  'policy.sts-host-unresolved': '{host} could not be resolved: {error}',
  'policy.sts-host-no-address': '{host} has no A or AAAA record: the policy cannot be fetched',
  'policy.sts-redirect': 'the policy URL redirects (HTTP {status} to {location}); RFC 8461 §3.3 forbids following redirects',
  'policy.sts-http-status': 'the policy URL answered HTTP {status}',
  'policy.sts-content-type': 'the policy is served as "{type}", not text/plain (RFC 8461 §3.2)',
  'policy.sts-no-content-type': 'no Content-Type',
  'policy.sts-too-large': 'the policy is {bytes} bytes, more than the {max} a sender reads',
  'policy.sts-larger-than': 'the policy is more than {max} bytes, the most a sender reads',
  'policy.sts-download-failed': 'the policy download failed: {error}',
  'policy.sts-fetch-failed': 'cannot fetch the policy from {ip}: {error}',
  'policy.sts-fetch-failed-cert': 'cannot fetch the policy from {ip}: {error} (the HTTPS certificate is not valid for the policy host)',
  'policy.sts-timeout': 'no complete policy within {ms} ms',
  'policy.sts-bad-version': 'the policy does not say "version: STSv1"',
  'policy.sts-bad-mode': 'the policy\'s mode "{mode}" is not enforce, testing or none',
  'policy.sts-bad-max-age': 'the policy\'s max_age "{value}" is not a whole number of seconds from 0 to {max}',
  'policy.sts-no-mx': 'a policy in mode {mode} must list at least one mx pattern',
  'policy.sts-mx-mismatch': "{host} matches none of the policy's mx patterns ({patterns})",
  'policy.sts-invalid-certificate': 'the certificate is not valid ({error})',
  'policy.sts-untrusted': 'untrusted',
  'policy.rpt-several': 'more than one v=TLSRPTv1 record: senders send no reports',
  'policy.rpt-no-rua': 'the record has no rua= (where to send reports)',
  'policy.rpt-bad-rua': 'rua entries that are neither mailto: nor https: ({entries})',
  'policy.rpt-lookup-failed': 'the _smtp._tls TXT lookup failed: {error}',
  // explain (src/core/exchange-text.ts): a pasted code with no detail
  'explain.reported-as': 'reported as {code}',
  // the judgement (src/core/judge.ts)
  'judge.starttls-injection': 'the server sent {bytes} bytes after its 220 to STARTTLS, before TLS began; they were discarded (RFC 3207 §4.2)',
  'judge.certificate-expiring':
    'the certificate {subject} expires on {date} ({days} days left): renew it before then, or Exchange Online will report 450 4.7.320',
  'judge.host-at': '{host} at {ip}',
  'judge.no-tls': '{place} does not offer STARTTLS: mail goes unencrypted, as an opportunistic connector allows',
  'judge.tls-fallback': 'the TLS upgrade failed ({reason}): Exchange Online would fall back to delivering without encryption',
  'judge.name-not-checked':
    'the certificate is for {names}, not {host}: Exchange Online does not check the name under CertificateValidation; DomainValidation with TlsDomain {host} would fail',
  'judge.this-machine': 'this machine',
  'judge.unverifiable':
    "{place} refused the probe from {source} ({reason}); it accepts only Microsoft 365's addresses, so this path is unverifiable from here",
  'judge.no-address': '(no address)',
  // a failed path's status when Exchange has no code for it (report-text's `other`, said where a warning is)
  'judge.other': 'other',
  'judge.path-failed': '{host} at {ip} fails: {status}',
  'judge.path-failed-policy': "{host} at {ip} fails: {status} ({domain}'s {policy} policy: {problem})",
  'judge.policy-summary': "{domain}'s {policy} policy: {problem}",
  'judge.vantage':
    "probed from {source}, outside the ranges Exchange Online delivers from: a smart host that allows only Microsoft 365's ranges refuses everyone else this way, so Exchange Online's result may differ. If it is so restricted, it must allow {ranges} (use --restricted-to-m365 to report this as unverifiable from here)",
} as const;

export type ProbeTextId = keyof typeof MESSAGES;

/** An argument: data printed as it is, or a nested text translated in its turn. */
export type ProbeTextArg = string | number | ProbeTextRef;

/** A text by id, as results record it next to the English (`detailId`/`detailArgs`, `id`/`args`). */
export interface ProbeTextRef {
  id: ProbeTextId;
  args: Record<string, ProbeTextArg>;
}

/** A text said: its English, and what it was said from. */
export interface Said extends ProbeTextRef {
  text: string;
}

/** `\w`: A-Z, a-z, 0-9 and _. */
function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/**
 * A template split at its `{name}` placeholders (`{` word characters `}`, as `/\{(\w+)\}/g`
 * finds them): text, name, text, …, text — always an odd length, names at odd indexes.
 */
function partsOf(template: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let open = template.indexOf('{'); open !== -1; open = template.indexOf('{', open + 1)) {
    let end = open + 1;
    while (end < template.length && isWordChar(template.charCodeAt(end))) end++;
    if (end === open + 1 || template.charCodeAt(end) !== 0x7d) continue;
    parts.push(template.slice(from, open), template.slice(open + 1, end));
    from = end + 1;
    open = end;
  }
  parts.push(template.slice(from));
  return parts;
}

/** Fills split template `parts`; a placeholder with no argument stays as it is; nested texts by `nested`. */
function fillParts(parts: readonly string[], args: Readonly<Record<string, ProbeTextArg>>, nested: (ref: ProbeTextRef) => string): string {
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] as string;
    const value = args[name];
    out += (value === undefined ? `{${name}}` : typeof value === 'object' ? nested(value) : String(value)) + (parts[i + 1] as string);
  }
  return out;
}

/**
 * Fills `{name}` placeholders (`{` word characters `}`, as `/\{(\w+)\}/g` finds them); one
 * with no argument stays as it is; nested texts by their English. A scan rather than a
 * replace with a callback: in a fleet of thousands the regular expression's callback path
 * cost a few µs a text (2-3× this).
 */
export function fillTemplate(template: string, args: Readonly<Record<string, ProbeTextArg>>, nested: (ref: ProbeTextRef) => string): string {
  return fillParts(partsOf(template), args, nested);
}

/**
 * The English templates split once, on first use: one entry per MESSAGES id at most, so
 * bounded by the catalogue. A probe says a dozen texts or more, each scanned for its
 * placeholders every time before.
 */
const englishParts: Partial<Record<ProbeTextId, readonly string[]>> = {};

function englishFill(id: ProbeTextId, args: Readonly<Record<string, ProbeTextArg>>, nested: (ref: ProbeTextRef) => string): string {
  return fillParts((englishParts[id] ??= partsOf(MESSAGES[id])), args, nested);
}

/** The English of a text by id. */
export function englishText(ref: ProbeTextRef): string {
  return englishFill(ref.id, ref.args, englishText);
}

/** A nested argument's English: a text already said brings its own (filled once), a reference is filled now. */
function nestedEnglish(ref: ProbeTextRef): string {
  return 'text' in ref ? (ref as Said).text : englishText(ref);
}

/**
 * Says a text: `say('tcp.refused')`, `say('tcp.failed', { ip, port, reason: say('tcp.refused') })`.
 * A nested argument keeps only its id and arguments; its English is the text it was said
 * with (a Said's text is its template filled from the same id and arguments, so filling it
 * again, as this did, gave the same string: a certificate summary re-filled three texts).
 */
export function say(id: ProbeTextId, args: Record<string, string | number | Said | ProbeTextRef> = {}): Said {
  let plain: Record<string, ProbeTextArg> = args;
  for (const key in args) {
    const v = args[key];
    if (typeof v === 'object' && 'text' in v) {
      if (plain === args) plain = { ...args };
      plain[key] = { id: v.id, args: v.args };
    }
  }
  return { id, args: plain, text: englishFill(id, args, nestedEnglish) };
}
