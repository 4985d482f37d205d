/**
 * The words the probe's reports write around the facts (the text report's header and
 * vantage line, the certificate block, the diagnosis labels that are not catalog headings,
 * the Nagios summary), English and pt-BR with the same keys (enforced by the type).
 * `{name}` placeholders are filled by `fill()` (src/report/text.ts).
 */
import type { StageName } from '../../probes/stage.js';
import type { Catalog } from './en.js';

export const REPORT_TEXT_EN = {
  /** `mailflow-probe · {targets} · port {port} · TLS {tls}` */
  header: 'mailflow-probe · {targets} · port {port} · TLS {tls}',
  vantage: 'from {host} (source {source}) · resolvers {resolvers} · {tool} {version}',
  notConnected: 'not connected',
  /** `vantage.resolvers` is `["system"]` when no resolver was given. */
  systemResolver: 'system',
  /** The code of a failure Exchange has no code for, where a path or a plugin line names it. */
  other: 'other',
  unverifiable: "unverifiable from here: the smart host accepts only Microsoft 365's addresses",
  mayDiffer: "may differ from Exchange Online's result: probed from outside Microsoft 365's ranges",
  /** The stages as every report, table and alert names them (protocol words stay as they are): the one table of stage names. */
  stageNames: { 'dns': 'dns', 'tcp': 'tcp', 'banner': 'banner', 'ehlo': 'ehlo', 'starttls': 'starttls', 'tls': 'tls', 'certificate': 'certificate', 'ehlo-tls': 'ehlo-tls', 'mail': 'mail', 'rcpt': 'rcpt', 'rset': 'rset', 'data': 'data', 'quit': 'quit' } as Record<StageName, string>,
  fromHere: 'From here',
  finding: 'Finding',
  turnItOff: 'Turn it off',
  // the certificate block
  chainTrusted: 'certificate chain (trusted):',
  chainNotTrusted: 'certificate chain (not trusted: {error}):',
  unknownError: 'unknown',
  trustAnchor: 'trust anchor, not sent',
  leaf: 'leaf',
  rootSent: 'root, sent',
  intermediate: 'intermediate',
  names: 'names',
  noNames: '(none)',
  issuer: 'issuer',
  valid: 'valid',
  key: 'key',
  signed: 'signed',
  serial: 'serial',
  thumbprint: 'thumbprint',
  unknownKey: 'unknown key',
  daysLeft: '{days} days left',
  dayLeft: '{days} day left',
  expiredDaysAgo: 'expired {days} days ago',
  expiredDayAgo: 'expired {days} day ago',
  revocation: 'revocation {status}',
  revocationOf: 'revocation of {subject}: {status}',
  revocationStatus: { good: 'good', revoked: 'revoked', unknown: 'unknown', unchecked: 'unchecked' } as Record<string, string>,
  // the Nagios summary (the plugin's state keywords and perfdata labels stay as they are)
  nagiosNoPath: 'no path passed (other)',
  nagiosAt: '{what} at {address}',
  nagiosFlowsBut: 'mail flows, but {what}',
  nagiosPathFailed: 'a path failed',
  nagiosCertificate: 'certificate {subject} {days}',
  nagiosCertificateDays: 'certificate {days}',
  nagiosCritical: '{text} (critical at {days} days)',
  nagiosWarning: '{text} (warning at {days} days)',
  nagiosCancelled: 'cancelled before every path finished',
  nagiosPathsPass: '{passed} of {total} paths pass',
  nagiosExpiresIn: 'expires in {days} days',
  nagiosExpiresInOne: 'expires in {days} day',
  nagiosNote: 'NOTE',
  nagiosNoAddress: 'no address',
};

export type ReportText = typeof REPORT_TEXT_EN;

export const REPORT_TEXT_PT_BR: ReportText = {
  header: 'mailflow-probe · {targets} · porta {port} · TLS {tls}',
  vantage: 'a partir de {host} (origem {source}) · resolvedores {resolvers} · {tool} {version}',
  notConnected: 'sem conexão',
  systemResolver: 'do sistema',
  other: 'outro',
  unverifiable: 'não verificável daqui: o host inteligente só aceita os endereços do Microsoft 365',
  mayDiffer: 'pode ser diferente do resultado do Exchange Online: verificado de fora dos intervalos de endereços IP do Microsoft 365',
  stageNames: { 'dns': 'DNS', 'tcp': 'TCP', 'banner': 'saudação', 'ehlo': 'EHLO', 'starttls': 'STARTTLS', 'tls': 'TLS', 'certificate': 'certificado', 'ehlo-tls': 'EHLO (TLS)', 'mail': 'MAIL', 'rcpt': 'RCPT', 'rset': 'RSET', 'data': 'DATA', 'quit': 'QUIT' },
  fromHere: 'Daqui',
  finding: 'Constatação',
  turnItOff: 'Como desativar',
  chainTrusted: 'cadeia de certificados (confiável):',
  chainNotTrusted: 'cadeia de certificados (não confiável: {error}):',
  unknownError: 'motivo desconhecido',
  trustAnchor: 'âncora de confiança, não enviada',
  leaf: 'certificado de entidade final',
  rootSent: 'raiz, enviada',
  intermediate: 'intermediário',
  names: 'nomes',
  noNames: '(nenhum)',
  issuer: 'emissor',
  valid: 'validade',
  key: 'chave',
  signed: 'assinado com',
  serial: 'número de série',
  thumbprint: 'impressão digital',
  unknownKey: 'chave desconhecida',
  daysLeft: '{days} dias restantes',
  dayLeft: '{days} dia restante',
  expiredDaysAgo: 'expirou há {days} dias',
  expiredDayAgo: 'expirou há {days} dia',
  revocation: 'revogação: {status}',
  revocationOf: 'revogação de {subject}: {status}',
  revocationStatus: { good: 'não revogado', revoked: 'revogado', unknown: 'desconhecida', unchecked: 'não verificada' },
  nagiosNoPath: 'nenhum caminho aprovado (outro)',
  nagiosAt: '{what} em {address}',
  nagiosFlowsBut: 'os emails fluem, mas {what}',
  nagiosPathFailed: 'um caminho falhou',
  nagiosCertificate: 'certificado {subject} {days}',
  nagiosCertificateDays: 'certificado {days}',
  nagiosCritical: '{text} (crítico a partir de {days} dias)',
  nagiosWarning: '{text} (aviso a partir de {days} dias)',
  nagiosCancelled: 'cancelado antes do fim de todos os caminhos',
  nagiosPathsPass: 'Caminhos aprovados: {passed} de {total}',
  nagiosExpiresIn: 'expira em {days} dias',
  nagiosExpiresInOne: 'expira em {days} dia',
  nagiosNote: 'NOTA',
  nagiosNoAddress: 'sem endereço',
};

/** The report words of a catalog's language. */
export function reportText(catalog: Pick<Catalog, 'language'>): ReportText {
  return catalog.language === 'pt-BR' ? REPORT_TEXT_PT_BR : REPORT_TEXT_EN;
}
