/**
 * The texts of the findings (src/core/findings.ts), English and pt-BR with the same keys
 * (enforced by the type). A finding is recorded with its English texts (the JSON) and its
 * parts, so a report in another language renders it from here.
 */

/** What an SMTP-inspecting firewall was seen doing, one part each. */
export type InspectionPart = 'masked-greeting' | 'starttls-rewritten' | 'keywords-rewritten' | 'rewritten-command-rejected';

export interface FindingTexts {
  title: string;
  /** `{what}`: the parts seen, joined by `; `. */
  message: string;
  parts: Record<InspectionPart, string>;
  fixes: string[];
  firstFix: string;
}

export const FINDING_TEXT_EN: { 'smtp-inspection': FindingTexts } = {
  'smtp-inspection': {
    title: 'An SMTP-inspecting firewall is in the path',
    message:
      'A firewall between Exchange Online and the server rewrites the SMTP dialogue (Cisco PIX "fixup smtp" / ASA ESMTP inspection): {what}. The code above is what this does to delivery; the fix is on the firewall, not on the mail server.',
    parts: {
      'masked-greeting': 'the greeting is masked with asterisks',
      'starttls-rewritten': 'STARTTLS in the EHLO reply was replaced with XXXXXXXA, so no TLS upgrade is possible',
      'keywords-rewritten': "EHLO keywords were replaced with X's",
      'rewritten-command-rejected': "the server rejected a command that reached it as X's",
    },
    fixes: [
      'Cisco ASA or Firepower (FTD): turn ESMTP inspection off for this traffic — `policy-map global_policy`, `class inspection_default`, `no inspect esmtp` (on FTD through FlexConfig) — or, to keep it, allow TLS through it: `policy-map type inspect esmtp <name>`, `parameters`, `allow-tls`, and stop masking the banner (`no mask-banner`).',
      'Cisco PIX (6.x): `no fixup protocol smtp 25` (and for every other port the fixup lists, `show fixup`).',
      'Any other firewall or load balancer: turn its SMTP application inspection / proxy ("SMTP fixup", "mail guard", ALG) off for TCP 25 from Microsoft 365\'s addresses, so that EHLO and STARTTLS pass unchanged.',
    ],
    firstFix:
      'Turn off the SMTP inspection of the firewall in front of the server (Cisco ASA: `no inspect esmtp`; PIX: `no fixup protocol smtp 25`), then probe again.',
  },
};

export const FINDING_TEXT_PT_BR: typeof FINDING_TEXT_EN = {
  'smtp-inspection': {
    title: 'Há um firewall que inspeciona SMTP no caminho',
    message:
      'Um firewall entre o Exchange Online e o servidor reescreve o diálogo SMTP (Cisco PIX "fixup smtp" / inspeção ESMTP do ASA): {what}. O código acima é o efeito disso na entrega; a correção é no firewall, não no servidor de email.',
    parts: {
      'masked-greeting': 'a saudação é mascarada com asteriscos',
      'starttls-rewritten': 'o STARTTLS da resposta ao EHLO foi substituído por XXXXXXXA, então não é possível ativar o TLS',
      'keywords-rewritten': 'palavras-chave do EHLO foram substituídas por X',
      'rewritten-command-rejected': 'o servidor rejeitou um comando que chegou a ele como X',
    },
    fixes: [
      'Cisco ASA ou Firepower (FTD): desative a inspeção ESMTP para esse tráfego — `policy-map global_policy`, `class inspection_default`, `no inspect esmtp` (no FTD, por meio do FlexConfig) — ou, para mantê-la, permita o TLS por ela: `policy-map type inspect esmtp <nome>`, `parameters`, `allow-tls`, e pare de mascarar o banner (`no mask-banner`).',
      'Cisco PIX (6.x): `no fixup protocol smtp 25` (e para cada outra porta que o fixup listar, `show fixup`).',
      'Qualquer outro firewall ou balanceador de carga: desative a inspeção de aplicação / proxy SMTP ("SMTP fixup", "mail guard", ALG) para TCP 25 a partir dos endereços do Microsoft 365, para que EHLO e STARTTLS passem sem alteração.',
    ],
    firstFix:
      'Desative a inspeção SMTP do firewall na frente do servidor (Cisco ASA: `no inspect esmtp`; PIX: `no fixup protocol smtp 25`) e verifique novamente.',
  },
};
