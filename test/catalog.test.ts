/**
 * Both languages complete: the same keys at every depth, the same number of causes and
 * fixes per code, no empty string anywhere. A key added to one catalog and not the other
 * fails here (and, for the typed sections, in the compiler too).
 */
import { describe, expect, it } from 'vitest';
import { CATALOGS, chooseLanguage, LANGUAGES, parseLanguage } from '../src/catalog/index.js';
import { en } from '../src/catalog/en.js';
import { ptBR } from '../src/catalog/pt-br.js';
import { diagnose } from '../src/core/diagnose.js';
import { probe } from '../src/core/engine.js';
import { UsageError } from '../src/core/options.js';
import { renderText } from '../src/report/text.js';
import { EXCHANGE_CODES, type ProbeResult } from '../src/core/result.js';

/** Every leaf path of a value: `codes.4.4.312.causes[2]` → its string. */
function leaves(value: unknown, path = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (Array.isArray(value)) {
    out.set(`${path}.length`, value.length);
    value.forEach((item, i) => leaves(item, `${path}[${i}]`).forEach((v, k) => out.set(k, v)));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) leaves(item, path ? `${path}.${key}` : key).forEach((v, k) => out.set(k, v));
  } else out.set(path, value);
  return out;
}

describe('catalog completeness', () => {
  const english = leaves(en);

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has exactly the keys, list lengths and null slots of English', (language) => {
    const other = leaves(CATALOGS[language]);
    const missing = [...english.keys()].filter((k) => !other.has(k));
    const extra = [...other.keys()].filter((k) => !english.has(k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    for (const [key, value] of english) {
      if (key.endsWith('.length') || value === null) expect([key, other.get(key)]).toEqual([key, value]);
    }
  });

  it.each(LANGUAGES)('%s has no empty or untrimmed text', (language) => {
    const bad = [...leaves(CATALOGS[language])].filter(([, v]) => typeof v === 'string' && (v.trim() === '' || v !== v.trim()));
    expect(bad).toEqual([]);
  });

  it.each(LANGUAGES)('%s covers every code, and keeps placeholders', (language) => {
    const catalog = CATALOGS[language];
    expect(Object.keys(catalog.codes).sort()).toEqual([...EXCHANGE_CODES].sort());
    for (const [key, value] of leaves(en)) {
      if (typeof value !== 'string') continue;
      const want = value.match(/\{\w+\}/g) ?? [];
      const have = (leaves(catalog).get(key) as string).match(/\{\w+\}/g) ?? [];
      expect([key, have.sort()]).toEqual([key, want.sort()]);
    }
  });

  it('keeps Exchange\'s own status lines untranslated: they are what the message trace shows', () => {
    for (const code of EXCHANGE_CODES) expect(ptBR.codes[code].status).toBe(en.codes[code].status);
    for (const code of Object.keys(en.policyCodes) as Array<keyof typeof en.policyCodes>) expect(ptBR.policyCodes[code].status).toBe(en.policyCodes[code].status);
  });

  it.each(LANGUAGES)('%s explains every DANE/MTA-STS code with its bounce form, causes, fixes and the recipient-domain note', (language) => {
    const catalog = CATALOGS[language];
    expect(Object.keys(catalog.policyCodes)).toEqual(['4.7.321', '4.7.322', '4.7.323', '4.7.324', '4.7.325']);
    for (const [code, entry] of Object.entries(catalog.policyCodes)) {
      // Exchange bounces the queued message with the 5.x.x form of the same code.
      expect([code, entry.meaning]).toEqual([code, expect.stringContaining(`5${code.slice(1)} ${entry.title}`)]);
      expect(entry.causes.length).toBeGreaterThan(0);
      expect(entry.fixes.length).toBeGreaterThan(0);
    }
    expect(catalog.policyOther).toMatchObject({ status: null, causes: expect.arrayContaining([expect.any(String)]), fixes: expect.arrayContaining([expect.any(String)]) });
    expect(catalog.policyPartner).toMatch(language === 'en' ? /recipient domain's DNS and mail administrators/ : /domínio do destinatário/);
  });

  it('the completeness check itself notices a missing key and a shorter list', () => {
    const broken = structuredClone(ptBR) as unknown as { codes: Record<string, { fixes: string[] }>; headings: Record<string, unknown> };
    delete broken.headings.meaning;
    broken.codes['4.4.316']?.fixes.pop();
    const other = leaves(broken);
    const missing = [...english.keys()].filter((k) => !other.has(k));
    expect(missing).toContain('headings.meaning');
    expect(missing).toContain('codes.4.4.316.fixes[1]');
    expect(other.get('codes.4.4.316.fixes.length')).not.toBe(english.get('codes.4.4.316.fixes.length'));
  });
});

describe('choosing the language', () => {
  it.each([
    [undefined, {}, 'en'],
    [undefined, { LANG: 'pt_BR.UTF-8' }, 'pt-BR'],
    [undefined, { LANG: 'pt_PT.UTF-8' }, 'en'],
    [undefined, { LANG: 'en_US.UTF-8', LC_MESSAGES: 'pt_BR' }, 'pt-BR'],
    [undefined, { LANG: 'pt_BR.UTF-8', LC_MESSAGES: 'C' }, 'en'],
    [undefined, { LC_ALL: 'pt_BR.utf8', LC_MESSAGES: 'en_US' }, 'pt-BR'],
    [undefined, { LC_ALL: '', LANG: 'pt_BR' }, 'pt-BR'],
    ['en', { LANG: 'pt_BR.UTF-8' }, 'en'],
    ['pt-BR', {}, 'pt-BR'],
    ['pt_br', {}, 'pt-BR'],
  ])('--lang %s with %j → %s', (flag, env, want) => {
    expect(chooseLanguage(flag, env as NodeJS.ProcessEnv)).toBe(want);
  });

  it('refuses an unknown language, naming it', () => {
    expect(() => parseLanguage('fr')).toThrow(UsageError);
    expect(() => parseLanguage('fr')).toThrow('invalid language "fr": must be one of en, pt-BR');
  });

  it('probe() refuses an unknown language before sending anything', async () => {
    await expect(probe('127.0.0.1', { language: 'fr', port: 9 })).rejects.toThrow(UsageError);
    await expect(probe('127.0.0.1', { mtaStsPort: 0 as number, port: 9 })).rejects.toThrow('invalid MTA-STS port "0"');
  });
});

describe('the text report in Portuguese', () => {
  it('translates the headings and the diagnosis, keeps Exchange\'s status line', () => {
    const failure = { stage: 'tcp' as const, kind: 'connect-refused' as const, message: 'connection refused by 127.0.0.1:25' };
    const result: ProbeResult = {
      schema: 'mailflow-probe/result@1',
      targets: ['mx1.demo.test'],
      route: 'address',
      tlsMode: 'certificate-validation',
      tlsDomain: null,
      port: 25,
      verdict: 'failing',
      cancelled: false,
      code: '4.4.316',
      status: '450 4.4.316 Connection refused',
      message: '450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx1.demo.test] [LastAttemptedIP=127.0.0.1:25]',
      startedAt: new Date(0).toISOString(),
      durationMs: 12,
      paths: [],
      diagnosis: diagnose('4.4.316', failure, ptBR),
      warnings: [],
    };
    const text = renderText(result, { catalog: ptBR });
    // The code's Portuguese title follows Exchange's status line (issue 19).
    expect(text).toContain(`FALHANDO  450 4.4.316 Connection refused — ${ptBR.codes['4.4.316'].title}  0 de 0 caminhos passam`);
    expect(text).toContain('Diagnóstico: 450 4.4.316 Connection refused');
    expect(text).toMatch(/O que aconteceu +connection refused by 127\.0\.0\.1:25 \(etapa: tcp\)/);
    expect(text).toContain('Corrija primeiro');
    expect(text).toMatch(/Corrija primeiro +A porta 25 recusou a conexão/);
    expect(text).toContain('O Exchange Online informaria:');
    const english = renderText({ ...result, diagnosis: diagnose('4.4.316', failure) });
    expect(english).toContain('FAILING  450 4.4.316 Connection refused  0 of 0 paths pass');
    expect(english).toMatch(/\n {2}What happened  connection refused/);
  });
});
