/**
 * The words of the scheduled checks — `probe check`, `probe watch`'s log, `probe history`
 * and every alert (subject, body, Slack, Teams, the webhook's `title` and `text`) — in
 * each language. `{name}` placeholders are filled by src/report/text.ts `fill()`. Both
 * tables are `ScheduledText`, so a string missing in either language fails the build.
 *
 * Machine fields stay English whatever the language: alert kinds and states in JSON,
 * stage names in the history database, Exchange's status lines.
 */
import type { CertificateReason, FailureKind, StageName } from '../../probes/stage.js';
import type { Verdict } from '../core/result.js';
import type { Catalog } from './en.js';
import { en } from './en.js';
import type { Language } from './index.js';
import { ptBR } from './pt-br.js';
import { REPORT_TEXT_EN, REPORT_TEXT_PT_BR } from './report-text.js';

/** The verdict words, lower-case, as the catalog's headings write them (one place for them). */
function verdictWords(catalog: Catalog): Record<Verdict, string> {
  const v = catalog.headings.verdicts;
  const lower = (w: string): string => w.toLocaleLowerCase(catalog.language);
  return { healthy: lower(v.healthy), degraded: lower(v.degraded), failing: lower(v.failing) };
}

/** The kinds of alert (src/scheduled/alert-state.ts AlertKind, repeated here so the catalog imports no scheduler code). */
type AlertKindName = 'degraded' | 'failing' | 'escalation' | 'bouncing' | 'reminder' | 'recovered' | 'flapping' | 'settled' | 'tls-stopped';

export interface ScheduledText {
  /** `2026-11-27 07:00 UTC`: `{y} {m} {d} {hh} {mm}`. */
  time: string;
  decimalSeparator: string;
  verdicts: Record<Verdict, string>;
  stages: Record<StageName, string>;
  /** Alert kinds, as a check or the log names them. */
  kinds: Record<AlertKindName, string>;
  /** The word a pager shows first. */
  headlines: Record<Exclude<AlertKindName, 'escalation' | 'settled'>, string> & { escalation: string; settled: string };
  /**
   * The short reason an alert subject gives after the code: `{host}`, `{ip}`, `{port}`,
   * `{reply}` (the server's reply, bounded), `{policy}`, `{domain}`.
   */
  reasons: Record<Exclude<FailureKind, 'certificate'>, string> & { policy: string };
  certificateReasons: Record<CertificateReason, string>;
  alert: {
    state: string;
    degraded: string;
    recovered: string;
    recoveredAfter: string;
    flapping: string;
    settled: string;
    tlsStopped: string;
    checked: string;
    exchangeReports: string;
    failingStage: string;
    failingStageSummary: string;
    firstFix: string;
    warning: string;
  };
  countdown: { since: string; ahead: string; past: string };
  check: {
    head: string;
    status: string;
    confirmed: string;
    alertQueued: string;
    delivered: string;
    deliveryFailed: string;
    failedChannel: string;
  };
  watch: {
    result: string;
    attempts: string;
    bounceAt: string;
    alerts: string;
    deliveryFailed: string;
    delivered: string;
    error: string;
    watching: string;
    finishing: string;
    exiting: string;
    stopped: string;
  };
  history: {
    none: string;
    never: string;
    state: string;
    uptime: string;
    uptimeUnknown: string;
    coverage: string;
    checksOne: string;
    checksMany: string;
    certExpires: string;
    certExpired: string;
    lastCheck: string;
    changes: string;
    firstCheck: string;
    noChange: string;
  };
  /** Why an alert was not delivered: logged and kept in the outbox. */
  delivery: {
    refused: string;
    notFound: string;
    timedOut: string;
    tls: string;
    network: string;
    http: string;
    httpBody: string;
    timeout: string;
    noChannel: string;
    urlEnvUnset: string;
    email: string;
  };
}

export const scheduledEn: ScheduledText = {
  time: '{y}-{m}-{d} {hh}:{mm} UTC',
  decimalSeparator: '.',
  verdicts: verdictWords(en),
  stages: REPORT_TEXT_EN.stageNames,
  kinds: {
    degraded: 'degraded',
    failing: 'failing',
    escalation: 'escalation',
    bouncing: 'bouncing',
    reminder: 'reminder',
    recovered: 'recovered',
    flapping: 'flapping',
    settled: 'settled',
    'tls-stopped': 'tls-stopped',
  },
  headlines: {
    failing: en.headings.verdicts.failing,
    degraded: en.headings.verdicts.degraded,
    escalation: 'ESCALATION: {duration} to first bounce',
    bouncing: 'BOUNCING: queued mail is being returned',
    reminder: 'STILL FAILING',
    recovered: 'RECOVERED',
    flapping: 'FLAPPING',
    settled: 'SETTLED ({state})',
    'tls-stopped': 'TLS STOPPED: mail now goes unencrypted',
  },
  reasons: {
    'dns-nxdomain': '{host} does not exist in DNS',
    'dns-servfail': 'the DNS server could not answer for {host}',
    'dns-refused': 'the DNS server refused to answer for {host}',
    'dns-timeout': 'no DNS answer for {host}',
    'dns-no-address': '{host} has no A or AAAA record',
    'dns-null-mx': '{host} publishes a null MX: it takes no mail',
    'dns-error': 'the DNS lookup of {host} failed',
    'connect-refused': 'port {port} refused on {ip}',
    'connect-timeout': 'no answer on port {port} from {ip}',
    'connect-unreachable': '{ip} is unreachable',
    reply: 'the server answered {reply}',
    'starttls-not-offered': '{ip} does not offer STARTTLS',
    'tls-version': '{ip} offers only TLS below 1.2',
    'tls-no-shared-cipher': 'no cipher suite in common with {ip}',
    'tls-handshake': 'the TLS negotiation with {ip} failed',
    timeout: '{ip} stopped answering',
    closed: '{ip} closed the connection',
    reset: '{ip} reset the connection',
    protocol: '{ip} does not speak SMTP',
    cancelled: 'cancelled',
    internal: 'an unexpected error',
    policy: "{domain}'s {policy} policy refuses {ip}",
  },
  certificateReasons: {
    expired: 'the certificate of {ip} has expired',
    'not-yet-valid': 'the certificate of {ip} is not valid yet',
    'name-mismatch': 'the certificate of {ip} does not carry the expected name',
    'self-signed': 'the certificate of {ip} is self-signed',
    'untrusted-root': 'the certificate of {ip} chains to an untrusted root',
    'incomplete-chain': '{ip} does not send its intermediate certificate',
    'unknown-issuer': 'the issuer of the certificate of {ip} is unknown',
    revoked: 'the certificate of {ip} is revoked',
    'revocation-unknown': 'the revocation status of the certificate of {ip} is unknown',
    invalid: 'the certificate of {ip} is invalid',
  },
  alert: {
    state: '{target} is {state} at {time}.',
    degraded: '{target} is degraded at {time}: mail flows, but not on every path or not as it should.',
    recovered: '{target} is {state} again at {time}.',
    recoveredAfter: '{target} is {state} again at {time} after {duration} of failure: queued mail is being delivered.',
    flapping: '{target} changed state {changes} times recently and is now {state}. Further changes are not alerted until it settles.',
    settled: '{target} has stopped flapping and is {state} at {time}.',
    tlsStopped: '{target} no longer offers STARTTLS at {time}: it did at the previous check; under opportunistic TLS Exchange Online now delivers unencrypted.',
    checked: 'Checked {vantage}',
    exchangeReports: 'Exchange Online reports: {status}',
    failingStage: 'Failing stage: {stage}',
    failingStageSummary: 'Failing stage: {stage} — {summary}',
    firstFix: `${en.headings.fixFirst}: {fix}`,
    warning: 'Warning: {warning}',
  },
  countdown: {
    since: 'Failing since {time} ({elapsed}).',
    ahead: '{since} Mail queued at the start of the outage starts bouncing at {bounce} (in {remaining}; queue lifetime {lifetime}).',
    past: '{since} Mail queued at the start of the outage has been bouncing since {bounce} ({ago} ago; queue lifetime {lifetime}): senders are getting NDRs.',
  },
  check: {
    head: '{target}: {verdict}',
    status: ' — {status}',
    confirmed: ' (confirmed in {attempts} attempts)',
    alertQueued: 'Alert queued: {kind} ({id})',
    delivered: 'Alerts delivered: {delivered}',
    deliveryFailed: ', failed: {failed}',
    failedChannel: '{error} (will retry)',
  },
  watch: {
    result: 'result #{id}',
    attempts: 'attempts {attempts}',
    bounceAt: 'bounce at {time}',
    alerts: 'alerts {list}',
    deliveryFailed: 'delivery failed: alert {id}: {error} (will retry)',
    delivered: 'delivered {delivered} alert(s)',
    error: 'error: {message}',
    watching: 'watching {count} target(s); history in {file}',
    finishing: '{signal}: finishing in-flight checks',
    exiting: '{signal}: exiting now',
    stopped: 'stopped',
  },
  history: {
    none: 'No checks recorded yet.',
    never: '{target}: never checked',
    state: '{target}: {state} since {time}',
    uptime: 'Uptime over the last {window}: {uptime}{coverage}; {checks}, {failing} failing',
    uptimeUnknown: 'unknown',
    coverage: ' (history covers {duration})',
    checksOne: '{count} check',
    checksMany: '{count} checks',
    certExpires: 'Certificate expires {time} (in {duration})',
    certExpired: 'Certificate expired {time} ({duration} ago)',
    lastCheck: 'Last check {time}',
    changes: 'Changes:',
    firstCheck: 'first check',
    noChange: 'No state change in the window.',
  },
  delivery: {
    refused: '{channel}: cannot connect to {address}: connection refused ({code})',
    notFound: '{channel}: {host} does not resolve in DNS ({code})',
    timedOut: '{channel}: {address} did not answer ({code})',
    tls: '{channel}: TLS with {address} failed: {message} ({code})',
    network: '{channel}: cannot reach {address}: {message} ({code})',
    http: '{channel}: the webhook answered HTTP {status}',
    httpBody: '{channel}: the webhook answered HTTP {status}: {body}',
    timeout: "{channel}: delivery took longer than {duration} (the channel's timeout): abandoned",
    noChannel: 'no alert channel named "{channel}" in the config any more',
    urlEnvUnset: '{channel}: environment variable "{name}" is not set',
    email: '{channel}: {message}',
  },
};

export const scheduledPtBR: ScheduledText = {
  time: '{d}/{m}/{y} {hh}:{mm} UTC',
  decimalSeparator: ',',
  verdicts: verdictWords(ptBR),
  stages: REPORT_TEXT_PT_BR.stageNames,
  kinds: {
    degraded: 'degradado',
    failing: 'com falha',
    escalation: 'NDR próxima',
    bouncing: 'gerando NDRs',
    reminder: 'lembrete',
    recovered: 'recuperado',
    flapping: 'instável',
    settled: 'estabilizado',
    'tls-stopped': 'TLS interrompido',
  },
  headlines: {
    failing: ptBR.headings.verdicts.failing,
    degraded: ptBR.headings.verdicts.degraded,
    escalation: 'URGENTE: primeiras NDRs em {duration}',
    bouncing: 'GERANDO NDRs: as mensagens na fila estão voltando aos remetentes',
    reminder: `AINDA ${ptBR.headings.verdicts.failing}`,
    recovered: 'RECUPERADO',
    flapping: 'INSTÁVEL',
    settled: 'ESTABILIZADO ({state})',
    'tls-stopped': 'TLS INTERROMPIDO: as mensagens agora vão sem criptografia',
  },
  reasons: {
    'dns-nxdomain': '{host} não existe no DNS',
    'dns-servfail': 'o servidor DNS não conseguiu responder por {host}',
    'dns-refused': 'o servidor DNS se recusou a responder por {host}',
    'dns-timeout': 'o DNS não respondeu por {host}',
    'dns-no-address': '{host} não tem registro A nem AAAA',
    'dns-null-mx': '{host} publica um MX nulo: não recebe emails',
    'dns-error': 'a consulta DNS de {host} falhou',
    'connect-refused': 'porta {port} recusada em {ip}',
    'connect-timeout': 'sem resposta na porta {port} de {ip}',
    'connect-unreachable': '{ip} está inacessível',
    reply: 'o servidor respondeu {reply}',
    'starttls-not-offered': '{ip} não oferece STARTTLS',
    'tls-version': '{ip} só oferece TLS anterior ao 1.2',
    'tls-no-shared-cipher': 'nenhum conjunto de criptografia em comum com {ip}',
    'tls-handshake': 'a negociação TLS com {ip} falhou',
    timeout: '{ip} parou de responder',
    closed: '{ip} encerrou a conexão',
    reset: '{ip} redefiniu a conexão',
    protocol: '{ip} não responde em SMTP',
    cancelled: 'cancelado',
    internal: 'um erro inesperado',
    policy: 'a política {policy} de {domain} recusa {ip}',
  },
  certificateReasons: {
    expired: 'o certificado de {ip} expirou',
    'not-yet-valid': 'o certificado de {ip} ainda não é válido',
    'name-mismatch': 'o certificado de {ip} não contém o nome esperado',
    'self-signed': 'o certificado de {ip} é autoassinado',
    'untrusted-root': 'o certificado de {ip} leva a uma raiz não confiável',
    'incomplete-chain': '{ip} não envia o certificado intermediário',
    'unknown-issuer': 'o emissor do certificado de {ip} é desconhecido',
    revoked: 'o certificado de {ip} foi revogado',
    'revocation-unknown': 'não foi possível confirmar se o certificado de {ip} foi revogado',
    invalid: 'o certificado de {ip} é inválido',
  },
  alert: {
    state: '{target} está {state} em {time}.',
    degraded: '{target} está degradado em {time}: as mensagens são entregues, mas não por todos os caminhos ou não como deveriam.',
    recovered: '{target} voltou a ficar {state} em {time}.',
    recoveredAfter: '{target} voltou a ficar {state} em {time}, depois de {duration} com falha: as mensagens na fila estão sendo entregues.',
    flapping: '{target} mudou de estado {changes} vezes recentemente e agora está {state}. Novas mudanças não geram alertas até que ele se estabilize.',
    settled: '{target} se estabilizou e está {state} em {time}.',
    tlsStopped: '{target} deixou de oferecer STARTTLS em {time} (oferecia na verificação anterior): com TLS oportunista, o Exchange Online agora entrega as mensagens sem criptografia.',
    checked: 'Verificado {vantage}',
    exchangeReports: 'O Exchange Online informa: {status}',
    failingStage: 'Etapa com falha: {stage}',
    failingStageSummary: 'Etapa com falha: {stage} — {summary}',
    firstFix: `${ptBR.headings.fixFirst}: {fix}`,
    warning: 'Aviso: {warning}',
  },
  countdown: {
    since: 'Com falha desde {time} ({elapsed}).',
    ahead: '{since} As mensagens na fila desde o início da falha passam a gerar NDRs para os remetentes em {bounce} (daqui a {remaining}; as mensagens ficam {lifetime} na fila).',
    past: '{since} As mensagens na fila desde o início da falha geram NDRs desde {bounce} (há {ago}; as mensagens ficam {lifetime} na fila): os remetentes estão recebendo notificações de falha na entrega.',
  },
  check: {
    head: '{target}: {verdict}',
    status: ' — {status}',
    confirmed: ' (confirmado em {attempts} tentativas)',
    alertQueued: 'Alerta na fila: {kind} ({id})',
    delivered: 'Alertas entregues: {delivered}',
    deliveryFailed: ', com falha: {failed}',
    failedChannel: '{error} (uma nova tentativa será feita)',
  },
  watch: {
    result: 'resultado #{id}',
    attempts: 'tentativas {attempts}',
    bounceAt: 'NDRs a partir de {time}',
    alerts: 'alertas {list}',
    deliveryFailed: 'falha na entrega do alerta {id}: {error} (uma nova tentativa será feita)',
    delivered: 'alertas entregues: {delivered}',
    error: 'erro: {message}',
    watching: 'monitorando {count} destino(s); histórico em {file}',
    finishing: '{signal}: concluindo as verificações em andamento',
    exiting: '{signal}: saindo agora',
    stopped: 'parado',
  },
  history: {
    none: 'Nenhuma verificação registrada ainda.',
    never: '{target}: nunca verificado',
    state: '{target}: {state} desde {time}',
    uptime: 'Disponibilidade no período ({window}): {uptime}{coverage}; {checks}, {failing} com falha',
    uptimeUnknown: 'desconhecida',
    coverage: ' (o histórico cobre {duration})',
    checksOne: '{count} verificação',
    checksMany: '{count} verificações',
    certExpires: 'O certificado expira em {time} (daqui a {duration})',
    certExpired: 'O certificado expirou em {time} (há {duration})',
    lastCheck: 'Última verificação em {time}',
    changes: 'Mudanças:',
    firstCheck: 'primeira verificação',
    noChange: 'Nenhuma mudança de estado no período.',
  },
  delivery: {
    refused: '{channel}: não foi possível conectar a {address}: conexão recusada ({code})',
    notFound: '{channel}: {host} não é resolvido no DNS ({code})',
    timedOut: '{channel}: {address} não respondeu ({code})',
    tls: '{channel}: a negociação TLS com {address} falhou ({code})',
    network: '{channel}: não foi possível alcançar {address} ({code})',
    http: '{channel}: o webhook respondeu HTTP {status}',
    httpBody: '{channel}: o webhook respondeu HTTP {status}: {body}',
    timeout: '{channel}: a entrega levou mais de {duration} (o tempo limite do canal) e foi abandonada',
    noChannel: 'não há mais um canal de alerta chamado "{channel}" na configuração',
    urlEnvUnset: '{channel}: a variável de ambiente "{name}" não está definida',
    email: '{channel}: o envio pelo servidor de retransmissão falhou: {message}',
  },
};

const TABLES: Record<Language, ScheduledText> = { en: scheduledEn, 'pt-BR': scheduledPtBR };

/** The scheduled checks' words in `language`. */
export function scheduledText(language: Language = 'en'): ScheduledText {
  return TABLES[language];
}
