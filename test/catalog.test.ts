/**
 * Both languages complete: the same keys at every depth, the same number of causes and
 * fixes per code, no empty string anywhere. A key added to one catalog and not the other
 * fails here (and, for the typed sections, in the compiler too). The Portuguese uses
 * Microsoft's pt-BR terms (docs/glossary-pt-br.md), and both languages say what
 * Microsoft's "Mail flow intelligence" text says for each code (/work/shared/EXCHANGE.md).
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
import { CONNECTOR_CODES, CONNECTOR_STATUS } from '../src/core/exchange-text.js';
import { GLOSSARY, untranslatedTerms } from './fixtures/glossary.js';

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
    expect(missing).toContain(`codes.4.4.316.fixes[${ptBR.codes['4.4.316'].fixes.length - 1}]`);
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
    expect(text).toContain(`COM FALHA  450 4.4.316 Connection refused — ${ptBR.codes['4.4.316'].title}  Caminhos aprovados: 0 de 0`);
    expect(text).toContain('Diagnóstico: 450 4.4.316 Connection refused');
    expect(text).toMatch(/O que aconteceu +connection refused by 127\.0\.0\.1:25 \(etapa: TCP\)/);
    expect(text).toMatch(/Primeiro passo +A porta 25 recusou a conexão/);
    expect(text).toContain('O Exchange Online informaria:');
    const english = renderText({ ...result, diagnosis: diagnose('4.4.316', failure) });
    expect(english).toContain('FAILING  450 4.4.316 Connection refused  0 of 0 paths pass');
    expect(english).toMatch(/\n {2}What happened  connection refused/);
  });
});

/** Every string of a catalog with its path, as `leaves` names them. */
function strings(catalog: unknown): Array<[string, string]> {
  return [...leaves(catalog)].filter((e): e is [string, string] => typeof e[1] === 'string');
}

describe('Portuguese as Microsoft writes it (docs/glossary-pt-br.md)', () => {
  it('no pt-BR catalog string leaves a glossary term in English or uses a variant Microsoft does not', () => {
    const bad = strings(ptBR)
      .map(([key, text]) => [key, untranslatedTerms(text)] as const)
      .filter(([, terms]) => terms.length);
    expect(bad).toEqual([]);
  });

  it('the check itself finds English terms and the wrong variants, and lets protocol words, status lines and quotes pass', () => {
    expect(untranslatedTerms('O smart host do conector não responde.')).toEqual(['smart host']);
    expect(untranslatedTerms('Verifique o certificate e a saúde do servidor de e-mail.')).toEqual(['e-mail', 'saúde', 'certificate']);
    expect(untranslatedTerms('Use uma autoridade certificadora; libere as faixas de endereços IP.')).toEqual(['faixas de endereços', 'autoridade certificadora']);
    expect(untranslatedTerms('Habilite um conjunto de cifras moderno; a NDR (devolução) chegou.')).toEqual(['NDR (devolução)', 'conjunto de cifras']);
    expect(untranslatedTerms('O assunto (subject) do certificado; o conector encaminha mensagens.')).toEqual(['encaminha', 'assunto (subject)']);
    expect(untranslatedTerms('Nova verificação ao vivo; Por decisão de projeto.')).toEqual(['ao vivo', 'por decisão de projeto']);
    // Allowed: Exchange's status lines, quoted server or Exchange text, host names, protocol words.
    const fine = `${CONNECTOR_STATUS['4.7.320']}: "SubjectMismatch Expected Subject: mail.contoso.com" de smarthost.contoso.com; STARTTLS, EHLO, MX, TLS, DNS, TlsDomain, {domain}, notificação de falha na entrega (NDR), Nome Alternativo do Requerente (SAN), email.`;
    expect(untranslatedTerms(fine)).toEqual([]);
    // Remote data (a connector's own name) is skipped only when the caller names it.
    expect(untranslatedTerms('Conector To on-premises: host inteligente recusou.')).toEqual(['on-premises']);
    expect(untranslatedTerms('Conector To on-premises: host inteligente recusou.', { allow: ['To on-premises'] })).toEqual([]);
  });

  it("Exchange's parameter names, its [Name=value] fields and fingerprints are not prose; the same words in prose still are", () => {
    expect(untranslatedTerms('Corrija o parâmetro SmartHosts do conector (Set-OutboundConnector -SmartHosts mx1.contoso.com).')).toEqual([]);
    expect(untranslatedTerms('450 4.7.320 Certificate validation failed [Message=NotTimeValid: the certificate expired on 2026-10-31]')).toEqual([]);
    expect(untranslatedTerms('sha-256  01:0D:A7:CA:58:37:C0:EA:56:4C:4F:21:6B:16:F6:36')).toEqual([]);
    // the narrowing stops there: the same terms written as prose are still found
    expect(untranslatedTerms('Corrija os smarthosts do conector; a certificate expirou [não é um campo]; CA: 01:0D')).toEqual(['smarthost', 'certificate', 'CA']);
  });

  it('the glossary holds the terms the issue names, each with where Microsoft uses it', () => {
    const ptFor = (english: string) => GLOSSARY.find((g) => g.english.includes(english));
    const want: Array<[string, string, string[]]> = [
      ['smart host', 'host inteligente', ['smart host']],
      ['e-mail', 'email', ['e-mail']],
      ['NDR', 'notificação de falha na entrega (NDR)', ['NDR (devolução)']],
      ['certificate subject', 'Requerente', ['assunto (subject)']],
      ['SAN', 'Nome Alternativo do Requerente (SAN)', []],
      ['certificate authority', 'autoridade de certificação (AC)', ['autoridade certificadora']],
      ['IP address ranges', 'intervalos de endereços IP', ['faixas de endereços']],
      ['cipher suites', 'conjuntos de criptografia', ['conjunto de cifras']],
      ['route', 'rotear', ['encaminhar']],
      ['server health', 'integridade', ['saúde']],
      ['connector', 'conector', []],
      ['accepted domain', 'domínio aceito', []],
      ['mail flow', 'fluxo de emails', []],
      ['message trace', 'rastreamento de mensagens', []],
      ['recipient', 'destinatário', []],
      ['mailbox', 'caixa de correio', []],
    ];
    for (const [english, portuguese, avoid] of want) {
      const entry = ptFor(english);
      expect([english, entry?.portuguese]).toEqual([english, expect.arrayContaining([portuguese])]);
      expect([english, entry?.avoid]).toEqual([english, expect.arrayContaining(avoid)]);
    }
    for (const entry of GLOSSARY) expect([entry.english, entry.where]).toEqual([entry.english, expect.stringMatching(/\S{3}/)]);
  });

  it('reads as written in Brazil, not translated', () => {
    const h = ptBR.headings;
    expect(ptBR.codes['4.4.317'].meaning).toMatch(/^O Exchange Online se conectou ao servidor, mas/);
    expect(ptBR.codes['4.4.318'].meaning).toMatch(/^O Exchange Online se conectou ao servidor, mas/);
    expect(ptBR.codes['4.4.312'].meaning).toMatch(/não é resolvido no DNS\.$/);
    expect(ptBR.codes['4.4.316'].causes[1]).toMatch(/^Comportamento esperado: /);
    expect(ptBR.codes['4.7.320'].meaning).toMatch(/^O certificado do servidor não atende às configurações de TLS do conector:/);
    expect(h.pathsPass).toBe('Caminhos aprovados: {passed} de {total}');
    expect(h.explain.liveCheck).toBe('Nova verificação em tempo real');
    // One phrase after DANE (masculine), MTA-STS and TLS-RPT alike; a path "atende à política".
    expect([h.policies.none, h.policies.satisfied, h.policies.notSatisfied]).toEqual(['nenhum registro publicado', 'atende à política', 'NÃO atende à política']);
  });
});

describe("faithful to Microsoft's text, in both languages", () => {
  const both = [
    ['en', en],
    ['pt-BR', ptBR],
  ] as const;

  it.each(both)('%s 4.4.316: firewall fix only if mailboxes remain on-premises; Fix now; which connector; confirm after an hour', (language, catalog) => {
    const fixes = catalog.codes['4.4.316'].fixes;
    const want =
      language === 'en'
        ? [
            /^If you still have mailboxes on-premises: allow Microsoft 365's IP address ranges .*TCP port 25/,
            /"Fix now", which makes Exchange Online reject messages to invalid recipients at once, so the organization does not exceed its quota of invalid recipients/,
            /Exchange admin center \(Mail flow > Connectors\), disable or delete the connector from Office 365 to your organization's email server, and change the accepted domain from Internal Relay to Authoritative/,
            /30 to 60 minutes .*after an hour, confirm that the error is gone/,
          ]
        : [
            /^Se você ainda tem caixas de correio locais: libere os intervalos de endereços IP do Microsoft 365 .*porta TCP 25/,
            /"Corrigir agora" do alerta, que faz o Exchange Online rejeitar imediatamente as mensagens para destinatários inválidos, para que a organização não ultrapasse a cota de destinatários inválidos/,
            /Centro de administração do Exchange \(Fluxo de emails > Conectores\), desabilite ou exclua o conector do Office 365 para o servidor de email da sua organização e altere o domínio aceito de Retransmissão Interna para Autoritativo/,
            /30 a 60 minutos .*depois de uma hora, confirme que o erro não aparece mais/,
          ];
    expect(fixes).toHaveLength(want.length);
    want.forEach((pattern, i) => expect([i, fixes[i]]).toEqual([i, expect.stringMatching(pattern)]));
  });

  it.each(both)('%s 4.4.315: a timeout is no answer, not "no server"; mail that flowed through an unchanged connector points at the local side first', (language, catalog) => {
    const entry = catalog.codes['4.4.315'];
    expect(entry.meaning).toMatch(language === 'en' ? /got no answer .* timed out/ : /não obteve resposta .* tempo limite/);
    expect(entry.meaning).not.toMatch(/no server|nenhum servidor/);
    expect(entry.fixes[0]).toMatch(
      language === 'en'
        ? /^If mail was flowing and the connector has not changed, look at your own environment first: check that the server is up/
        : /^Se o fluxo de emails estava funcionando e o conector não foi alterado, comece pelo seu ambiente local: verifique se o servidor está no ar/,
    );
    expect(entry.causes.join(' ')).toMatch(language === 'en' ? /down\..*new ISP/ : /fora do ar\..*novo provedor de internet/);
  });

  it.each(both)('%s 4.4.312: the domain\'s authoritative name servers', (language, catalog) => {
    const term = language === 'en' ? 'authoritative name servers' : 'servidores de nomes autoritativos';
    expect(catalog.codes['4.4.312'].causes[0]).toContain(term);
    expect(catalog.codes['4.4.312'].fixes[0]).toContain(term);
  });

  it.each(both)('%s 4.7.320: the name is checked only under DomainValidation, against TlsDomain (Set-OutboundConnector); fixing lets the queue drain', (language, catalog) => {
    const entry = catalog.codes['4.7.320'];
    const smartHost = language === 'en' ? "the smart host's name" : 'o nome do host inteligente';
    for (const text of [entry.meaning, ...entry.causes, catalog.reasons['name-mismatch']]) expect(text).not.toContain(smartHost);
    expect(entry.meaning).toMatch(/DomainValidation.*TlsDomain/);
    expect(entry.causes[1]).toMatch(/DomainValidation.*TlsDomain/);
    expect(entry.causes[1]).toMatch(language === 'en' ? /under CertificateValidation it validates the chain and checks revocation, not the name\.$/ : /com CertificateValidation, ele valida a cadeia e verifica a revogação, não o nome\.$/);
    expect(catalog.reasons['name-mismatch']).toMatch(/TlsDomain.*DomainValidation/);
    expect(entry.fixes.at(-1)).toMatch(language === 'en' ? /so the queued messages can be delivered\.$/ : /para que as mensagens na fila possam ser entregues\.$/);
  });

  it.each(both)('%s "other" names the connector codes instead of pointing at a list that is not on screen', (_language, catalog) => {
    for (const code of CONNECTOR_CODES) expect(catalog.codes.other.meaning).toContain(code);
  });

  it.each(both)('%s: no string points above or below (the report prints the reply in varying places, or not at all)', (_language, catalog) => {
    const pointing = strings(catalog).filter(([, text]) => /\b(above|below)\b(?! \d)|(^|[^\p{L}])(acima|abaixo)(?! d[aeo]s? )([^\p{L}]|$)/iu.test(text));
    expect(pointing).toEqual([]);
  });
});
