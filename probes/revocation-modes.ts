/**
 * The revocation modes, apart from the checker itself: the options schema (and so the
 * CLI at start-up) needs the list, not the OCSP/CRL machinery behind it.
 */

/** `--revocation`: off skips the check; soft (default) warns when no answer can be had; hard fails then. */
export type RevocationMode = 'off' | 'soft' | 'hard';

export const REVOCATION_MODES: readonly RevocationMode[] = ['off', 'soft', 'hard'];
