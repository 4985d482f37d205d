/**
 * The probe options' help in Brazilian Portuguese, beside the English help of the options'
 * schema (src/core/option-schema.ts): one entry per option, with the same door-specific
 * wordings (`helpIn`) and `--no-…` help the English entry has — the type requires each, so
 * an option added to the schema without its Portuguese help fails the build (issue 15).
 */
import { helpOf, type Door, type OPTION_SPECS, type OptionKey, type OptionSpec } from '../core/option-schema.js';
import type { Language } from './index.js';

type Spec<K> = Extract<(typeof OPTION_SPECS)[number], { key: K }>;

/** An option's Portuguese help: the same parts as its English help. */
type Translated<S> = { help: string } & (S extends { helpIn: infer H } ? { helpIn: { [D in keyof H]: string } } : unknown) &
  (S extends { flag: { negatedHelp: string } } ? { negatedHelp: string } : unknown);

export const OPTION_HELP_PT_BR: { [K in OptionKey]: Translated<Spec<K>> } = {
  port: {
    help: 'porta TCP (os conectores sempre usam a 25)',
    helpIn: { explain: 'porta TCP a verificar novamente (o Exchange sempre usa a 25)' },
  },
  mx: {
    help: 'ignora a consulta MX: usa os próprios registros A/AAAA dos nomes',
    helpIn: { explain: 'ignora a consulta MX do nome do servidor' },
  },
  resolvers: { help: 'servidor DNS a consultar (repetível); padrão: o do sistema' },
  tlsMode: {
    help: 'o TlsSettings do conector (padrão certificate-validation)',
    helpIn: {
      explain: 'o TlsSettings do conector para a nova verificação (padrão certificate-validation)',
      verify: 'TlsSettings para destinos informados diretamente (padrão certificate-validation)',
    },
  },
  tlsDomain: {
    help: 'o TlsDomain do conector, por exemplo *.contoso.com (implica domain-validation)',
    helpIn: { verify: 'TlsDomain para destinos informados diretamente (implica domain-validation)' },
  },
  ca: { help: 'certificados de autoridades de certificação (AC) confiáveis adicionais, em PEM (repetível)' },
  ehloName: {
    help: 'o nome a enviar no EHLO (padrão: o nome deste host, se for totalmente qualificado; caso contrário, o literal do endereço de origem da conexão)',
  },
  sourceAddress: { help: 'o endereço IP local de origem das conexões (os caminhos da outra família de endereços falham)' },
  restrictedToMicrosoft365: {
    help: 'o host inteligente aceita apenas os endereços do Microsoft 365: uma recusa vista de outro lugar não pode ser verificada daqui, em vez de ser uma falha',
  },
  m365Ranges: { help: 'um arquivo com os intervalos de endereços IP de onde o Exchange Online entrega (um CIDR por linha), em vez da lista incluída' },
  timeoutMs: { help: 'o tempo máximo de espera de uma etapa, em ms (padrão 10000)' },
  deadlineMs: {
    help: 'o tempo máximo da verificação inteira, em ms (padrão 60000)',
    helpIn: {
      explain: 'o tempo máximo de cada nova verificação, em ms (padrão 60000)',
      verify: 'o tempo máximo da verificação de um conector, em ms (padrão 60000)',
      serve: 'o tempo máximo de uma verificação, em ms (padrão 60000; nunca além do tempo limite da solicitação)',
    },
  },
  concurrency: {
    help: 'caminhos verificados simultaneamente (padrão 8)',
    helpIn: { probe: 'caminhos verificados simultaneamente (padrão 8); com --targets, destinos verificados simultaneamente (padrão 64)' },
  },
  warnDays: { help: 'avisa quando um certificado expira dentro desse número de dias (padrão 30)' },
  revocation: {
    help: 'verificação de revogação (OCSP grampeado, CRL): off; soft = inacessível gera um aviso (padrão); hard = inacessível é uma falha',
  },
  policies: {
    help: 'verifica o DANE, o MTA-STS e o TLS-RPT do domínio do destinatário nas rotas MX (o padrão; envia consultas DNS e uma solicitação HTTPS)',
    negatedHelp: 'não verifica o DANE, o MTA-STS e o TLS-RPT do domínio do destinatário (rotas MX)',
  },
  mtaStsPort: { help: 'porta HTTPS do host da política MTA-STS (443 no mundo real; para testes)' },
  language: {
    help: 'idioma do diagnóstico e dos relatórios: en ou pt-BR (padrão: de LC_ALL/LC_MESSAGES/LANG; caso contrário, en)',
    helpIn: {
      explain: 'idioma: en ou pt-BR (padrão: da localidade; caso contrário, en)',
      verify: 'idioma do relatório: en ou pt-BR; --json continua em inglês (padrão: da localidade; caso contrário, en)',
      serve: 'idioma da página de status e dos diagnósticos: en ou pt-BR (padrão: da localidade; caso contrário, en)',
      scheduled: 'idioma dos relatórios, do log e dos alertas: en ou pt-BR; o JSON continua em inglês (padrão: a chave lang da configuração; senão, da localidade; caso contrário, en)',
    },
  },
  signal: { help: 'cancela a verificação (o Ctrl-C de um usuário): o resultado indica cancelada' },
  revocationCache: { help: 'o cache de CRL que a verificação compartilha (padrão: o do processo)' },
  addressFilter: { help: 'chamada com cada endereço resolvido antes de qualquer conexão; uma string retornada o recusa' },
};

/** An option's help in a door, in a language. */
export function optionHelp(spec: OptionSpec, door: Door, language: Language): string {
  if (language === 'en') return helpOf(spec, door);
  const pt = OPTION_HELP_PT_BR[spec.key as OptionKey] as { help: string; helpIn?: Partial<Record<Door, string>> };
  return pt.helpIn?.[door] ?? pt.help;
}

/** The help of an option's `--no-…` form, in a language. */
export function negatedOptionHelp(spec: OptionSpec, language: Language): string | undefined {
  if (language === 'en') return spec.flag?.negatedHelp;
  return (OPTION_HELP_PT_BR[spec.key as OptionKey] as { negatedHelp?: string }).negatedHelp;
}
