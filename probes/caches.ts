/**
 * The prober's process-wide caches, in one place: each has one owner module, one stated
 * bound, and the same eviction (oldest entry out). They are not carried by the
 * ProbeContext: a context is made per probe, and a cache per probe would redo the work
 * they exist to save (a SecureContext alone is ~40 ms of CPU) — a fleet or an exporter
 * sees the same anchors and certificates on every pass. What they hold never depends on
 * a probe's outcome: parsed certificates, trust anchors, TLS client contexts.
 *
 * Per-probe state that must not outlive its probe lives elsewhere, in WeakMaps keyed by
 * the probe's own objects (the chain a socket sent, probes/certificate.ts; the stage
 * windows open on a probe's signal, probes/deadline.ts).
 */

/** Every cache's bound, by owner. Raising one costs memory in a long-running exporter, never CPU per probe. */
export const CACHE_BOUNDS = {
  /** probes/tls.ts: client SecureContexts, for this many sets of extra anchors … */
  secureContexts: 32,
  /** probes/tls.ts: … each with one per pinned versions/ciphers (the defaults, and the version probe's four). */
  tlsSettings: 8,
  /** probes/certificate.ts: the trust store (bundled roots + extra anchors, parsed) per set of extra anchors. */
  trustStores: 32,
  /** probes/certificate.ts: what a certificate says (subject, names, key, validity …), by SHA-256 fingerprint. */
  certificateFacts: 2048,
  /** probes/certificate.ts: the anchor that issued a certificate, per trust store, by fingerprint. */
  anchorLookups: 2048,
  /** probes/pki.ts: what the DER says beyond Node's X509Certificate (signature algorithm, CRL and OCSP URLs). */
  derFacts: 2048,
  /** src/core/options.ts: host names (EHLO name, targets) read and IDNA-converted, by input text. */
  hostnames: 1024,
  /** src/core/options.ts: CA PEM texts split into checked certificate blocks, by text. */
  caTexts: 64,
} as const;

/**
 * A Map with a bound: once full, the oldest entry goes (Map keeps insertion order). A
 * hit costs what a Map lookup costs.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly limit: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.limit && !this.map.has(key)) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
  }

  get size(): number {
    return this.map.size;
  }
}
