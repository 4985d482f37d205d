import type tls from 'node:tls';
import { say, type Said } from './messages.js';
import { noteInTranscript, runSession } from './session.js';
import { StageFailure, type ProbeContext } from './stage.js';

/**
 * The versions below Exchange Online's floor that a server may still speak. SSL 3.0 is
 * not among them: Node's OpenSSL cannot speak it at all.
 */
export const LEGACY_VERSIONS: readonly tls.SecureVersion[] = ['TLSv1', 'TLSv1.1'];

/** `TLSv1` → `TLS 1.0`, `TLSv1.1` → `TLS 1.1`. */
export function versionName(version: string): string {
  return version === 'TLSv1' ? 'TLS 1.0' : version.replace(/^TLSv/, 'TLS ');
}

/** "TLS 1.1", "TLS 1.0 and TLS 1.1". */
function listVersions(versions: string[]): string | Said {
  const names = versions.map(versionName);
  return names.length > 1 ? say('tls.and', { first: names.slice(0, -1).join(', '), last: names.at(-1) ?? '' }) : (names[0] ?? '');
}

/**
 * One fresh session pinned to `version`: TCP, greeting, EHLO, STARTTLS, then a handshake
 * that offers only that version (OpenSSL 3 allows TLS 1.0/1.1 only at security level 0).
 * 'offered' when the handshake completes with it, 'refused' when the server rejects the
 * version, 'unknown' when the session failed before the handshake could tell.
 */
async function tryVersion(ctx: ProbeContext, ip: string, servername: string | null, version: tls.SecureVersion): Promise<'offered' | 'refused' | 'unknown'> {
  const facts = await runSession({ ...ctx, transcript: [], transcriptRefs: {} }, {
    ip,
    servername,
    fallback: 'none',
    steps: [
      { stage: 'tcp' },
      { stage: 'banner' },
      { stage: 'ehlo' },
      { stage: 'starttls' },
      { stage: 'tls', options: { minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0', requestOCSP: false } },
    ],
  });
  const err = facts.failure;
  if (err) return err.stage === 'tls' && ['tls-version', 'tls-no-shared-cipher', 'tls-handshake'].includes(err.kind) ? 'refused' : 'unknown';
  if (!facts.tls) return 'unknown';
  return facts.tls.protocol === version ? 'offered' : 'refused';
}

/**
 * After a handshake failed for want of TLS 1.2: which older versions does the server
 * speak? Each is tried on its own new connection, concurrently, inside the probe's
 * deadline. Returns the versions that completed a handshake, oldest first.
 */
export async function probeLegacyVersions(ctx: ProbeContext, ip: string, servername: string | null): Promise<tls.SecureVersion[]> {
  const outcomes = await Promise.all(LEGACY_VERSIONS.map((v) => tryVersion(ctx, ip, servername, v)));
  return LEGACY_VERSIONS.filter((_, i) => outcomes[i] === 'offered');
}

/**
 * Turns a `tls-version` failure into the precise one: "the server offers only TLS 1.1;
 * Exchange Online requires TLS 1.2 or later". Other failures pass through unchanged.
 */
export async function explainTlsFailure(ctx: ProbeContext, ip: string, servername: string | null, err: unknown): Promise<never> {
  if (!(err instanceof StageFailure) || err.kind !== 'tls-version' || ctx.signal.aborted) throw err;
  const offered = await probeLegacyVersions(ctx, ip, servername);
  noteInTranscript(
    ctx,
    say('tls.legacy-probed', {
      versions: LEGACY_VERSIONS.map(versionName).join(', '),
      outcome: offered.length ? say('tls.legacy-offered', { versions: listVersions(offered) }) : say('tls.legacy-none'),
    }),
  );
  if (!offered.length) throw err;
  throw new StageFailure(
    'tls',
    'tls-version',
    say('tls.only-legacy', { versions: listVersions(offered) }),
    { ...err.detail, offered: offered.at(-1) as string, offeredVersions: offered },
    { cause: err },
  );
}
