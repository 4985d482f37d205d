import { describe, expect, it } from 'vitest';
import { en } from '../src/catalog/en.js';
import { englishVocabulary, englishWordsIn } from './fixtures/english-vocabulary.js';

describe('the English-vocabulary check used by the pt-BR output tests', () => {
  it('finds English words inside a Portuguese line, each once, in order', () => {
    expect(englishWordsIn('Conexão recusada: the certificate expired, the certificate')).toEqual(['the', 'certificate', 'expired']);
  });

  it("leaves Exchange's status lines, their fields, names, addresses, URLs and flags alone", () => {
    const text =
      '450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mail.contoso.com] ' +
      'mail.contoso.com 127.0.0.1:25 http://127.0.0.1:8080/crl.der postmaster@contoso.com --tls-mode';
    expect(englishWordsIn(text)).toEqual([]);
  });

  it('reads no word inside a hex serial, thumbprint or id', () => {
    expect(englishWordsIn('número de série 4E70FA9ADD5C9F5D1 impressão 176B6D321ADDE4D05 (0ADD1E2F-1234)')).toEqual([]);
    expect(englishWordsIn('add the chain')).toEqual(['add', 'the', 'chain']);
  });

  it('leaves the raw server text the caller names alone', () => {
    expect(englishWordsIn('O servidor disse: 554 go away now', ['554 go away now'])).toEqual([]);
    expect(englishWordsIn('O servidor disse: 554 go away now', [/554 .*/])).toEqual([]);
  });

  it("takes the English catalog's own words: its meaning of 4.4.316 is flagged word by word", () => {
    expect(englishVocabulary().size).toBeGreaterThan(200);
    expect(englishWordsIn(en.codes['4.4.316'].meaning).length).toBeGreaterThan(3);
  });
});
