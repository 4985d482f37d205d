/**
 * `probe init [FILE]`: writes a commented example config. It never overwrites a file.
 */
import { writeFileSync } from 'node:fs';
import { UsageError } from '../core/options.js';

export const EXAMPLE_CONFIG = `# mailflow-probe scheduled checks.
#   probe check --config mailflow-probe.yaml     one pass over every target (for cron)
#   probe watch --config mailflow-probe.yaml     keep running, each target on its schedule
#   probe history --config mailflow-probe.yaml   state, uptime, countdown, timeline
# JSON works too. Durations: 90s, 30m, 24h, 7d, 1h30m.
# An editor checks this file as you type: run probe config-schema > mailflow-probe.schema.json
# and put this line first (the YAML language server reads it):
#   # yaml-language-server: $schema=./mailflow-probe.schema.json

# The history database (SQLite), relative to this file.
database: mailflow-probe.db

# The language of check, watch, history and the alerts: en or pt-BR
# (default: --lang, else the locale).
# lang: pt-BR

# Exchange Online retries a queued message for 24 hours (Microsoft's current
# documentation; older pages said 48), then bounces it with an NDR. While a target
# fails, reports and alerts count down to failing-since + this.
queueLifetime: 24h

# Escalate when the first bounce is this close.
escalateBefore: [20h, 12h, 1h]

# Remind while it stays failing and nothing else was said (false: never).
reminderEvery: 4h

# A failure counts only after this many more attempts, with backoff between them,
# so one dropped SYN pages nobody.
confirm:
  retries: 2
  minDelay: 10s
  maxDelay: 60s

# This many state changes within the window is flapping: said once, not each time.
flapping:
  changes: 4
  window: 1h

# Alert delivery is retried with backoff from minDelay up to maxDelay, across restarts.
delivery:
  minDelay: 30s
  maxDelay: 30m

# Settings every target inherits (any target setting except host/hosts/name).
defaults:
  schedule: "*/5 * * * *"        # cron: minute hour day month weekday (6 fields: seconds first)
  tlsMode: certificate-validation # opportunistic | encryption-only | certificate-validation | domain-validation
  warnDays: 30
  # resolvers: [192.0.2.53]       # DNS servers to ask instead of the system's
  # timeoutMs: 10000              # the most one stage may wait
  # deadlineMs: 60000             # the most one probe may take
  # revocation: soft              # off | soft | hard: OCSP/CRL unreachable is a warning, or a failure
  # policies: false               # also DANE, MTA-STS and TLS-RPT of the recipient domain

targets:
  # One connector: its smart hosts are checked together, as Exchange Online fails over.
  - name: contoso-onprem
    hosts: [mail1.contoso.com, mail2.contoso.com]
    tlsMode: domain-validation
    tlsDomain: "*.contoso.com"
  # A connector that uses MX for a partner domain, checked every minute.
  - name: fabrikam-partner
    host: fabrikam.com
    schedule: "* * * * *"
    # port: 25                    # connectors always use 25
    # mx: true                    # MX first, then A/AAAA
    # caFile: [partner-ca.pem]    # extra trusted CAs, relative to this file
    # ehloName: probe.contoso.com

alerts:
  # Email through your relay. STARTTLS is required unless tls says otherwise
  # (starttls | implicit | none). The password comes from the environment, never this file.
  - type: email
    host: smtp.contoso.com
    port: 587
    from: mailflow-probe@contoso.com
    to: [mail-admins@contoso.com]
    # user: mailflow-probe@contoso.com
    # passwordEnv: MAILFLOW_PROBE_SMTP_PASSWORD
  # Webhooks: format generic (JSON with every field), teams (Adaptive Card for a Teams
  # Workflows webhook) or slack (incoming webhook).
  - type: webhook
    format: teams
    url: https://contoso.webhook.office.com/workflows/REPLACE-ME
    # The URL is a secret (anyone who has it can post): keep it out of this file with
    # urlEnv: MAILFLOW_PROBE_TEAMS_URL instead of url.
    # timeout: 15s                # the whole delivery, wall clock
`;

/** Writes the example to `file`; refuses to overwrite. */
export function writeExampleConfig(file: string): void {
  try {
    writeFileSync(file, EXAMPLE_CONFIG, { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`"${file}" already exists: not overwriting it`);
    throw new UsageError(`cannot write "${file}": ${code ?? (err as Error).message}`);
  }
}
