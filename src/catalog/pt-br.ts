import { CONNECTOR_CODES, CONNECTOR_STATUS, POLICY_STATUS } from '../core/exchange-text.js';
import type { Catalog } from './en.js';

/**
 * The catalog in Brazilian Portuguese, in Microsoft's pt-BR terms (docs/glossary-pt-br.md:
 * host inteligente, email, conector, domínio aceito, Retransmissão Interna, Autoritativo,
 * autoridade de certificação, intervalos de endereços IP …; test/catalog.test.ts checks
 * every string against it). Protocol words stay in English (STARTTLS, EHLO, MX, TLS), as
 * do Exchange's parameter names (TlsSettings, TlsDomain). The status lines are Exchange's
 * own and are not translated: they are what the administrator searches for in the message
 * trace.
 */
export const ptBR: Catalog = {
  language: 'pt-BR',
  codes: {
    '4.4.312': {
      status: CONNECTOR_STATUS['4.4.312'],
      title: 'Falha na consulta DNS',
      meaning:
        'O Exchange Online não conseguiu localizar o destino: a consulta DNS do host inteligente ou do domínio do destinatário (o registro MX, ou o registro A/AAAA do host MX) falhou, ou o nome não é resolvido no DNS.',
      causes: [
        'O serviço de hospedagem DNS do domínio está com problema: os servidores de nomes autoritativos falham ou não respondem.',
        'O domínio expirou e, por isso, o registro MX não pode ser obtido.',
        'O registro MX foi alterado recentemente e o Exchange Online ainda tem a resposta antiga em cache.',
      ],
      fixes: [
        'Acione o provedor de hospedagem DNS para corrigir os servidores de nomes autoritativos e os registros do domínio: o nome do host inteligente (ou o MX do domínio e o host MX) precisa ser resolvido a partir da internet.',
        'Renove o domínio, se ele tiver expirado.',
        'Depois de uma alteração recente, aguarde o TTL dos registros antigos expirar.',
      ],
    },
    '4.4.315': {
      status: CONNECTOR_STATUS['4.4.315'],
      title: 'Tempo limite de conexão esgotado',
      meaning:
        'O Exchange Online não obteve resposta do endereço de destino: a conexão com a porta TCP 25 atingiu o tempo limite antes de o servidor responder.',
      causes: [
        'O servidor de email local (ou do parceiro) está fora do ar.',
        'O host inteligente do conector aponta para o endereço IP errado, por exemplo depois que uma mudança de rede (um novo provedor de internet) trocou os endereços públicos do servidor.',
        'Um firewall descarta as conexões silenciosamente em vez de recusá-las.',
      ],
      fixes: [
        'Se o fluxo de emails estava funcionando e o conector não foi alterado, comece pelo seu ambiente local: verifique se o servidor está no ar e escutando na porta TCP 25.',
        'Confira as mudanças recentes de rede (um novo provedor de internet significa novos endereços públicos) e atualize o registro DNS do host inteligente, ou o host inteligente no conector.',
        'Confira qual host inteligente está configurado no conector do Office 365 para o servidor de email da sua organização (Centro de administração do Exchange, Fluxo de emails > Conectores).',
      ],
    },
    '4.4.316': {
      status: CONNECTOR_STATUS['4.4.316'],
      title: 'Conexão recusada',
      meaning: 'O endereço de destino respondeu, mas recusou a conexão na porta TCP 25.',
      causes: [
        'Um firewall bloqueia os endereços do Microsoft 365 na porta TCP 25, ou nenhum serviço está escutando na porta 25.',
        'Comportamento esperado: os servidores de email locais foram desligados depois que todas as caixas de correio migraram para o Exchange Online, mas um conector ainda roteia mensagens para eles.',
      ],
      fixes: [
        'Se você ainda tem caixas de correio locais: libere os intervalos de endereços IP do Microsoft 365 na porta TCP 25 do servidor de email local e confirme que o serviço de email está escutando.',
        'Se nenhuma mensagem deve mais ir para o ambiente local: use a opção "Corrigir agora" do alerta, que faz o Exchange Online rejeitar imediatamente as mensagens para destinatários inválidos, para que a organização não ultrapasse a cota de destinatários inválidos.',
        'Em seguida, no Centro de administração do Exchange (Fluxo de emails > Conectores), desabilite ou exclua o conector do Office 365 para o servidor de email da sua organização e altere o domínio aceito de Retransmissão Interna para Autoritativo.',
        'Essas alterações levam de 30 a 60 minutos para entrar em vigor: depois de uma hora, confirme que o erro não aparece mais.',
      ],
    },
    '4.4.317': {
      status: CONNECTOR_STATUS['4.4.317'],
      title: 'Não foi possível conectar ao servidor remoto',
      meaning:
        'O Exchange Online se conectou ao servidor, mas ele respondeu com erro (por exemplo, "Service not available") ou não atende aos requisitos da conexão (por exemplo, o conector exige TLS e o servidor não oferece STARTTLS).',
      causes: [
        'O servidor recusa a sessão: responde à conexão com erro, ou rejeita o EHLO ou o STARTTLS.',
        'O conector exige TLS e o servidor não oferece STARTTLS, oferece apenas TLS 1.0/1.1 ou não tem nenhum conjunto de criptografia em comum com o Exchange Online.',
        'Alguma configuração de certificado ou de TLS do servidor não corresponde ao que o conector espera.',
      ],
      fixes: [
        'Verifique as configurações de TLS e o certificado do servidor de destino.',
        'Compare as configurações de TLS do conector (TlsSettings, TlsDomain) com o que o servidor oferece.',
        'Se o servidor respondeu com erro, leia a resposta (o rastreamento de mensagens a mostra em [Message=…]): ela indica o motivo da recusa.',
      ],
    },
    '4.4.318': {
      status: CONNECTOR_STATUS['4.4.318'],
      title: 'A conexão foi encerrada abruptamente',
      meaning: 'O Exchange Online se conectou ao servidor, mas a conexão caiu ou travou antes de o diálogo SMTP terminar.',
      causes: [
        'A inspeção de pacotes SMTP de um firewall não funciona direito e corta ou corrompe a sessão.',
        'O servidor de email trava, para de funcionar ou fica sem recursos e derruba a conexão.',
        'Problemas de rede entre o Exchange Online e o servidor.',
      ],
      fixes: [
        'Descubra qual dos casos se aplica: verifique a integridade e os logs do servidor no horário da falha.',
        'Desative a inspeção SMTP ("fixup smtp", inspeção ESMTP) no firewall que fica na frente do servidor.',
        'Envolva a equipe de rede para rastrear a conexão.',
      ],
    },
    '4.7.320': {
      status: CONNECTOR_STATUS['4.7.320'],
      title: 'Falha na validação do certificado',
      meaning:
        'O certificado do servidor não atende às configurações de TLS do conector: a cadeia não é confiável, o certificado está fora do período de validade ou foi revogado, ou (com DomainValidation) o nome dele não corresponde ao TlsDomain do conector.',
      causes: [
        'O certificado expirou.',
        'Com DomainValidation, o Requerente do certificado (e os Nomes Alternativos do Requerente) não corresponde ao TlsDomain do conector. O Exchange Online só verifica o nome nesse caso: com CertificateValidation, ele valida a cadeia e verifica a revogação, não o nome.',
        'O certificado não é mais válido: não é confiável, a cadeia está incompleta ou ele foi revogado.',
      ],
      fixes: [
        'Corrija o certificado no servidor: renove-o, instale um cujo nome corresponda e envie a cadeia completa.',
        'Ou corrija o conector, se o TlsSettings, o TlsDomain ou o host inteligente estiver errado, para que as mensagens na fila possam ser entregues.',
      ],
    },
    other: {
      status: null,
      title: 'Outro erro de entrega',
      meaning: `A entrega falhou de um jeito que não corresponde a nenhum dos códigos de conector documentados pela Microsoft (${CONNECTOR_CODES.join(', ')}).`,
      causes: ['O servidor de destino se comporta de um jeito que o Exchange Online não espera (por exemplo, não fala SMTP).'],
      fixes: ['Procure o problema no servidor de destino indicado no erro, a partir do que ele respondeu.'],
    },
  },
  kinds: {
    'dns-nxdomain': 'O nome não existe no DNS: corrija o nome do host inteligente no conector ou crie o registro.',
    'dns-servfail': 'Os servidores de nomes do domínio não conseguem responder (SERVFAIL): corrija a zona DNS com o provedor de hospedagem DNS (a causa costuma ser uma delegação quebrada ou o DNSSEC).',
    'dns-refused': 'O servidor DNS se recusou a responder: verifique os servidores de nomes da zona com o provedor de hospedagem DNS.',
    'dns-timeout': 'Os servidores DNS não responderam a tempo: verifique se os servidores de nomes do domínio estão no ar e acessíveis.',
    'dns-no-address': 'O nome existe, mas não tem registro A nem AAAA: crie o registro de endereço do servidor de email.',
    'dns-null-mx': 'O domínio publica um MX nulo (RFC 7505), o que indica que ele não aceita emails: remova-o ou pare de rotear mensagens para esse domínio.',
    'dns-error': 'O DNS não deu uma resposta utilizável: verifique os registros com o provedor de hospedagem DNS.',
    'connect-timeout': 'Nada respondeu na porta TCP 25: verifique se o servidor está no ar, se o endereço está certo e se nenhum firewall descarta o tráfego silenciosamente.',
    'connect-unreachable': 'Não há rota até o endereço: verifique o roteamento e o endereço do host inteligente.',
    'connect-refused': 'A porta 25 recusou a conexão: libere no firewall os intervalos de endereços IP do Microsoft 365 na porta TCP 25 e verifique se o serviço de email está escutando.',
    reply: 'O servidor respondeu com erro: corrija o que a resposta indica, no servidor ou no conector de recebimento dele.',
    'starttls-not-offered': 'O conector exige TLS, mas o servidor não oferece STARTTLS: habilite o TLS (com certificado) no conector de recebimento do servidor, ou verifique se algum firewall está removendo o STARTTLS.',
    'tls-version': 'Habilite o TLS 1.2 (e o 1.3) no servidor: o Exchange Online nunca usa TLS 1.0 nem 1.1.',
    'tls-no-shared-cipher': 'Habilite conjuntos de criptografia modernos (ECDHE com AES-GCM) para TLS 1.2 no servidor, e os grupos de troca de chaves que o Exchange Online oferece (X25519, P-256, P-384).',
    'tls-handshake': 'O handshake TLS falhou: verifique o certificado e a configuração de TLS do servidor, e se algum firewall inspeciona ou reescreve a sessão.',
    timeout: 'O servidor parou de responder no meio da sessão: verifique a integridade e a carga dele, e qualquer firewall que inspecione SMTP.',
    closed: 'O servidor encerrou a conexão no meio da sessão: verifique os logs e os limites de conexão dele, e qualquer firewall que inspecione SMTP.',
    reset: 'A conexão foi redefinida (reset) no meio da sessão: verifique os firewalls e balanceadores de carga no caminho, e os logs do servidor.',
    certificate: 'Corrija o certificado no servidor ou as configurações de TLS do conector.',
    protocol: 'O serviço na porta 25 não fala SMTP: confira se o host inteligente aponta para o servidor de email, e não para outro serviço.',
    cancelled: 'A verificação foi cancelada antes de terminar.',
    internal: 'Ocorreu um erro inesperado: execute de novo com --json e relate o problema.',
  },
  reasons: {
    expired:
      'Renove o certificado, instale o novo no servidor com os certificados intermediários e habilite-o para SMTP (Exchange Server: Enable-ExchangeCertificate -Services SMTP); depois remova o certificado expirado.',
    'not-yet-valid':
      'O certificado ainda não é válido: verifique o relógio e o fuso horário do servidor, ou instale um certificado cuja validade já tenha começado.',
    'name-mismatch':
      'Instale um certificado cujo Requerente ou Nomes Alternativos do Requerente (SAN) incluam o TlsDomain do conector, o nome que o Exchange Online verifica com DomainValidation (um curinga *.contoso.com cobre um só nível), ou corrija o TlsDomain no conector.',
    'self-signed':
      'Substitua o certificado autoassinado (o padrão de um dispositivo ou do Exchange) por um emitido por uma autoridade de certificação (AC) pública em que o Microsoft 365 confie.',
    'untrusted-root':
      'A cadeia termina em uma raiz privada ou não confiável: use um certificado de uma autoridade de certificação (AC) pública em que o Microsoft 365 confie.',
    'incomplete-chain':
      'Configure o servidor para enviar o(s) certificado(s) intermediário(s) junto com o dele (a cadeia completa, sem a raiz): a correção é no servidor, não no Exchange Online (não há documentação de que ele busque intermediários ausentes).',
    'unknown-issuer':
      'O emissor não foi enviado nem é confiável: envie a cadeia completa a partir do servidor e use um certificado de uma autoridade de certificação (AC) pública.',
    revoked:
      'O certificado foi revogado pela autoridade de certificação e não é mais válido: obtenha um novo certificado (com uma nova chave, se a antiga puder estar comprometida), instale-o e habilite-o para SMTP.',
    'revocation-unknown':
      'Torne o ponto de distribuição da lista de certificados revogados (CRL) da autoridade de certificação acessível por HTTP a partir da internet (ou faça o servidor grampear uma resposta OCSP válida), ou execute com --revocation soft para aceitar um status desconhecido.',
    invalid: 'Substitua o certificado por um válido, emitido por uma autoridade de certificação (AC) pública.',
  },
  partner:
    'Se este host inteligente pertence a uma organização parceira (por exemplo, um serviço de nuvem de terceiros), quem precisa corrigir é o parceiro: envie este relatório a ele.',
  mismatchNote:
    'O Exchange Online mais recente informa a divergência de nome do certificado com o código 450 4.4.317 (com "SubjectMismatch Expected Subject: … Presented Subject: …"), e não com 4.7.320: procure qualquer um dos dois no rastreamento de mensagens.',
  headings: {
    verdicts: { healthy: 'ÍNTEGRO', degraded: 'DEGRADADO', failing: 'COM FALHA' },
    cancelled: 'CANCELADO',
    pathsPass: 'Caminhos aprovados: {passed} de {total}',
    otherCode: 'outro (não é um código de conector)',
    noAddress: '(sem endereço)',
    transcript: 'transcrição da sessão:',
    diagnosis: 'Diagnóstico',
    otherPrefix: 'outro',
    whatHappened: 'O que aconteceu',
    stage: 'etapa',
    serverSaid: 'Resposta do servidor',
    meaning: 'Significado',
    fixFirst: 'Primeiro passo',
    causes: 'Causas',
    fixes: 'Correções',
    partner: 'Parceiro',
    note: 'Observação',
    exchangeWouldReport: 'O Exchange Online informaria:',
    stillFlows: 'As mensagens ainda seriam entregues, mas não por todos os caminhos:',
    explain: {
      title: 'Explicação',
      forms: {
        trace: 'motivo de adiamento (Defer) do rastreamento de mensagens',
        'trace-short': 'motivo do rastreamento de mensagens (formato curto)',
        bounce: 'notificação de falha na entrega (NDR) depois de esgotado o tempo na fila',
        status: 'linha de status',
        dotted: 'linha de status com o detalhe depois do título',
        ndr: 'notificação de falha na entrega (NDR): "Server at … returned …"',
        queue: 'erro de fila do Exchange local ou híbrido',
        chained: 'NDR de expiração encadeada (vale a causa mais interna)',
        other: 'status fora dos códigos de conector',
      },
      decodedQp: 'O texto colado estava em quoted-printable (como em uma NDR bruta): ele foi decodificado primeiro.',
      winsock: 'Erro de soquete do Windows',
      otherTitle: 'Não é um código de conector: {code}',
      otherMeaning: {
        address: 'o endereço do destinatário foi recusado ou não existe',
        mailbox: 'a caixa de correio do destinatário não pode receber a mensagem (cheia, desabilitada ou acima de um limite)',
        system: 'o sistema de email de destino não pode receber a mensagem',
        network: 'a entrega à rede ou rota de destino falhou',
        protocol: 'o diálogo SMTP violou uma regra do servidor de destino',
        content: 'o conteúdo da mensagem foi recusado',
        security: 'o destino recusou o remetente por política ou reputação',
      },
      whoActs: {
        sender: 'Quem deve agir: o remetente (corrija o endereço ou a mensagem e envie de novo).',
        recipient: 'Quem deve agir: o administrador do destinatário (o servidor ou o filtro dele recusou a mensagem; peça que ele libere o endereço de envio ou o retire da lista de bloqueio, ou que corrija o lado dele).',
        microsoft: 'Quem deve agir: a Microsoft, com o administrador do locatário remetente (o próprio Exchange Online bloqueou ou limitou o envio; veja as entidades restritas no Microsoft 365 Defender ou abra uma solicitação de suporte).',
        unknown: 'Quem deve agir: leia o texto do status; o código não diz.',
      },
      connectAborted:
        'A tentativa de conexão foi anulada antes de começar qualquer sessão SMTP (erro 995 do Windows): verifique se o servidor está no ar e acessível na porta TCP 25 a partir dos endereços do Microsoft 365, e se nenhum firewall ou balanceador de carga descarta ou interrompe a tentativa.',
      notRechecked: 'Não verificado de novo: este código não trata da conexão com o host inteligente (use --recheck para testar o servidor mesmo assim).',
      code: 'Código',
      status: 'Status',
      expired: 'A mensagem expirou na fila e voltou ao remetente em uma NDR: o último adiamento foi com este código.',
      remoteSaid: 'Detalhe',
      server: 'Servidor',
      ip: 'Endereço',
      when: 'Última tentativa',
      proxy: 'Destino do proxy',
      redacted: 'Ocultado',
      truncated: 'O texto colado parece cortado: o que ele contém foi lido, o restante está faltando.',
      notGiven: '(não consta no texto)',
      liveCheck: 'Nova verificação em tempo real',
      offline: 'Não verificado de novo (--offline).',
      noTarget: 'Não verificado de novo: o texto não traz servidor nem endereço utilizável (informe um com --server).',
      checkOf: 'nova verificação de {target}',
      same: 'a falha continua (mesmo código)',
      different: 'agora falha de outro jeito: {code}',
      healthy: 'agora está íntegro: a falha não ocorre mais',
      equivalent: 'a mesma falha: o Exchange informa a divergência de nome tanto com 4.4.317 quanto com 4.7.320',
      starttlsRequired:
        'O servidor exige TLS, mas o Exchange Online chegou até ele sem TLS: o servidor não ofereceu STARTTLS ao Exchange Online (verifique o conector de recebimento que atende os endereços do Microsoft 365 e qualquer firewall que remova o STARTTLS), ou a negociação TLS falhou e o Exchange voltou a enviar sem criptografia; configure o conector para exigir TLS e assim ver a causa real.',
    },
    policies: {
      title: 'Políticas de segurança de transporte de {domain}',
      notMx: 'Não é uma rota por MX: DANE e MTA-STS só se aplicam quando o Exchange Online entrega pelo MX.',
      dane: 'DANE (RFC 7672)',
      mtaSts: 'MTA-STS (RFC 8461)',
      tlsRpt: 'TLS-RPT (RFC 8460)',
      none: 'nenhum registro publicado',
      dnssec: 'DNSSEC',
      dnssecSecure: 'validado: o resolvedor marcou o bit AD',
      dnssecInsecure: 'não validado: sem bit AD (a zona não é assinada, ou este resolvedor não valida DNSSEC); daqui, o DANE não está em vigor',
      dnssecBogus: 'o resolvedor não conseguiu validar os registros (SERVFAIL): um remetente DANE trata isso como DNSSEC inválido',
      records: 'Registros',
      mode: 'Modo',
      mx: 'Padrões de MX',
      maxAge: 'max_age',
      satisfied: 'atende à política',
      notSatisfied: 'NÃO atende à política',
      senderWould: 'Um remetente que aplica a política',
      exchangeCode: 'O Exchange Online informaria',
      noCode: 'nenhum código documentado',
      problem: 'Problema',
      unusable: 'inutilizável para SMTP, RFC 7672 §3.1.3',
      actions: {
        deliver: 'entregar',
        'deliver-and-report': 'entregar e relatar a falha (TLS-RPT)',
        refuse: 'não entregar a este host',
      },
    },
  },
  policyCodes: {
    '4.7.321': {
      status: POLICY_STATUS['4.7.321'],
      title: 'starttls-not-supported',
      meaning: 'O destino exige TLS (um registro TLSA do DANE ou uma política MTA-STS em modo enforce), mas o servidor de email dele não oferece STARTTLS. O Exchange Online mantém a mensagem na fila e, quando desiste, envia ao remetente uma NDR com 5.7.321 starttls-not-supported.',
      causes: ['O STARTTLS está desabilitado no servidor de recebimento, ou um firewall o remove da resposta ao EHLO.'],
      fixes: ['Habilite o STARTTLS com um certificado válido em todos os hosts MX e desative a inspeção SMTP que o remove.'],
    },
    '4.7.322': {
      status: POLICY_STATUS['4.7.322'],
      title: 'certificate-expired',
      meaning: 'O certificado do servidor de email de destino expirou; um remetente que o valida pelo DANE ou pelo MTA-STS não entrega a mensagem. O Exchange Online mantém a mensagem na fila e, quando desiste, envia ao remetente uma NDR com 5.7.322 certificate-expired.',
      causes: ['O certificado do host MX não foi renovado, ou o novo não foi habilitado para o serviço SMTP.'],
      fixes: ['Renove o certificado, habilite-o para o serviço SMTP e, com DANE, publique o novo registro TLSA antes da troca (RFC 7671 §8.1).'],
    },
    '4.7.323': {
      status: POLICY_STATUS['4.7.323'],
      title: 'tlsa-invalid',
      meaning: 'O domínio falhou na validação DANE: nenhum registro TLSA utilizável em _25._tcp.<host MX> corresponde ao certificado que o servidor apresenta. O Exchange Online mantém a mensagem na fila e, quando desiste, envia ao remetente uma NDR com 5.7.323 tlsa-invalid.',
      causes: [
        'O certificado (ou a chave) mudou e o registro TLSA não foi atualizado.',
        'Os registros TLSA usam apenas os usos 0 ou 1 (PKIX-TA, PKIX-EE), que a RFC 7672 §3.1.3 manda os remetentes SMTP tratarem como inutilizáveis.',
      ],
      fixes: ['Publique um registro TLSA de uso 3 (DANE-EE) ou 2 (DANE-TA) que corresponda ao certificado servido agora e depois remova o antigo.'],
    },
    '4.7.324': {
      status: POLICY_STATUS['4.7.324'],
      title: 'dnssec-invalid',
      meaning: 'O domínio de destino retornou registros DNSSEC inválidos: a consulta TLSA falhou na validação, e um remetente DANE não consegue saber se o TLS é obrigatório. O Exchange Online mantém a mensagem na fila e, quando desiste, envia ao remetente uma NDR com 5.7.324 dnssec-invalid.',
      causes: ['DNSSEC quebrado na zona: assinaturas expiradas, registro DS que não corresponde mais à chave, ou servidores de nomes que falham nas consultas TLSA.'],
      fixes: ['Corrija o DNSSEC da zona com o provedor de hospedagem DNS (assine de novo, corrija o DS no registrador) e garanta que as consultas TLSA sejam respondidas.'],
    },
    '4.7.325': {
      status: POLICY_STATUS['4.7.325'],
      title: 'certificate-host-mismatch',
      meaning: 'Com DANE ou MTA-STS, o certificado do servidor de destino não nomeia o host MX ao qual o Exchange Online se conectou. O Exchange Online mantém a mensagem na fila e, quando desiste, envia ao remetente uma NDR com 5.7.325 certificate-host-mismatch.',
      causes: ['O certificado do host MX não tem o nome do host MX nos Nomes Alternativos do Requerente (um certificado padrão ou interno está vinculado ao SMTP).'],
      fixes: ['Vincule ao SMTP um certificado cujos Nomes Alternativos do Requerente incluam todos os nomes de host MX e, com DANE, mantenha o registro TLSA em sincronia com ele.'],
    },
  },
  policyOther: {
    status: null,
    title: 'Política MTA-STS não atendida',
    meaning: 'O domínio do destinatário publica uma política MTA-STS em modo enforce que este host MX não atende; o Exchange Online (que aplica o MTA-STS quando entrega pelo MX) não entrega mensagens a ele. A Microsoft não documenta um código 4.7.32x próprio para este caso.',
    causes: [
      'O host MX não está coberto por nenhuma linha mx: da política (um host MX novo ou renomeado, um erro de digitação no padrão).',
      'O certificado não é emitido por uma raiz pública confiável ou não contém o nome do host MX.',
    ],
    fixes: [
      'Inclua o host MX nas linhas mx: da política em https://mta-sts.<domínio>/.well-known/mta-sts.txt e mude o id= do registro TXT _mta-sts, ou corrija o registro MX.',
      'Sirva um certificado publicamente confiável que contenha o nome do host MX.',
    ],
  },
  policyPartner:
    'Quem precisa corrigir são os administradores de DNS e de email do domínio do destinatário (os registros TLSA, o DNSSEC, a política MTA-STS ou os hosts MX): envie este relatório a eles. Mudar o seu conector não ajuda: o Exchange Online aplica a política do destinatário sempre que entrega pelo MX.',
};
