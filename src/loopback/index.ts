/**
 * Loopback servers for `probe demo` and for the tests: a DNS server, a certificate
 * factory, a good SMTP server, and byte-level servers for each fault. They listen on
 * 127.0.0.0/8 or ::1 only, on ephemeral ports.
 */
export * from './loopback.js';
export * from './dns-server.js';
export * from './certs.js';
export * from './smtp.js';
export * from './raw.js';
