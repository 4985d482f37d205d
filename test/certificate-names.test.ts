import { describe, expect, it } from 'vitest';
import { nameMatchesTlsDomain } from '../probes/certificate.js';

// Exchange Online's TlsDomain rules against the names a certificate carries.
describe('TlsDomain matching', () => {
  it.each([
    // TlsDomain            certificate name        match
    ['mail.contoso.com', 'mail.contoso.com', true],
    ['mail.contoso.com', 'MAIL.contoso.com', true],
    ['mail.contoso.com.', 'mail.contoso.com', true],
    ['mail.contoso.com', 'smtp.contoso.com', false],
    ['mail.contoso.com', '*.contoso.com', true],
    ['a.b.contoso.com', '*.contoso.com', false],
    ['contoso.com', '*.contoso.com', false],
    ['*.contoso.com', '*.contoso.com', true],
    ['*.contoso.com', 'mail.contoso.com', true],
    ['*.contoso.com', 'a.b.contoso.com', true],
    ['*.contoso.com', 'contoso.com', false],
    ['*.contoso.com', 'mail.fabrikam.com', false],
    ['*.contoso.com', 'evilcontoso.com', false],
    ['*.contoso.com', '*.mail.contoso.com', true],
    ['*.contoso.com', '*.com', false],
    ['mail.contoso.com', 'm*.contoso.com', false],
    ['mail.contoso.com', '*ail.contoso.com', false],
    ['m*.contoso.com', 'mail.contoso.com', false],
    // an embedded or second wildcard never matches, even where a plain one would (issue 20)
    ['*.contoso.com', 'm*.contoso.com', false],
    ['m*.contoso.com', '*.contoso.com', false],
    ['*.contoso.com', '*.a*.contoso.com', false],
    ['*.contoso.com', 'ab.contoso.com', true],
    // a one-letter label: the wildcard branch for a certificate name is taken for `*.` names only (issue 20)
    ['*.contoso.com', 'm.contoso.com', true],
    ['mail.contoso.com', 'abcontoso.com', false],
    ['.contoso.com', '*.contoso.com', false],
    ['mail.contoso.com', 'mail.contoso.com.', true],
  ])('TlsDomain %s, certificate %s → %s', (tlsDomain, certName, expected) => {
    expect(nameMatchesTlsDomain(tlsDomain, certName)).toBe(expected);
  });
});
