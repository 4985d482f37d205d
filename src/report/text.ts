import type { PathResult, ProbeResult, Verdict } from '../result.js';

export interface TextOptions {
  /** ANSI colours (the CLI turns them off for NO_COLOR, --no-color and non-terminals). */
  color?: boolean;
  /** Include each path's SMTP transcript. */
  transcript?: boolean;
  /** Wrap prose at this many columns. */
  width?: number;
}

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1, cyan: 36 } as const;
type Style = keyof typeof ANSI;

/** Word-wraps `text` to `width`, indenting continuation lines by `indent` spaces. */
export function wrap(text: string, width: number, indent: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width - indent) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function formatMs(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function pathName(p: PathResult): string {
  const pref = p.preference !== null ? ` (MX ${p.preference})` : '';
  const ip = p.ip ? ` ${p.ip.includes(':') ? `[${p.ip}]` : p.ip}:${p.port}` : ' (no address)';
  return `${p.host}${pref}${ip}`;
}

/**
 * The terminal report: the verdict and headline code first, then every path with its
 * stages and timings, then the diagnosis for the failing code and Exchange's own wording.
 * Pure: a function of the result alone.
 */
export function renderText(result: ProbeResult, options: TextOptions = {}): string {
  const width = options.width ?? 100;
  const paint = (style: Style, text: string): string => (options.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text);
  const verdictStyle: Record<Verdict, Style> = { healthy: 'green', degraded: 'yellow', failing: 'red' };
  const out: string[] = [];
  const tls = result.tlsMode + (result.tlsDomain ? ` (${result.tlsDomain})` : '');
  out.push(paint('dim', `mailflow-probe · ${result.targets.join(', ')} · port ${result.port} · TLS ${tls}`));
  const headline = result.cancelled
    ? paint('yellow', 'CANCELLED')
    : paint(verdictStyle[result.verdict], paint('bold', result.verdict.toUpperCase()));
  const passed = result.paths.filter((p) => p.verdict !== 'failing').length;
  const code = result.status ?? (result.code === 'other' ? 'other (not a connector code)' : '');
  out.push(`${headline}${code ? `  ${code}` : ''}  ${paint('dim', `${passed} of ${result.paths.length} paths pass · ${formatMs(result.durationMs)}`)}`);

  for (const p of result.paths) {
    out.push('');
    const mark = p.verdict === 'failing' ? paint('red', '✗') : p.verdict === 'degraded' ? paint('yellow', '!') : paint('green', '✓');
    out.push(`${mark} ${paint('bold', pathName(p))}  ${paint(verdictStyle[p.verdict], p.verdict)}${p.code ? `  ${p.code}` : ''}  ${paint('dim', formatMs(p.durationMs))}`);
    for (const s of p.stages) {
      const sm = s.ok ? paint('green', '✓') : paint('red', '✗');
      const detail = wrap(s.detail, width, 26);
      out.push(`    ${sm} ${s.name.padEnd(12)}${formatMs(s.ms).padStart(8)}  ${s.ok ? detail : paint('red', detail)}`);
    }
    for (const w of p.warnings) out.push(`    ${paint('yellow', '!')} ${wrap(w.message, width, 6)}`);
    for (const f of p.findings ?? []) out.push(`    ${paint('yellow', '!')} ${wrap(`${f.title}: ${f.evidence.join(' | ')}`, width, 6)}`);
    if (options.transcript && p.transcript.length) {
      out.push(paint('dim', '    transcript:'));
      for (const line of p.transcript) out.push(paint('dim', `      ${line}`));
    }
  }

  const d = result.diagnosis;
  if (d) {
    out.push('');
    out.push(paint('bold', `Diagnosis: ${d.status ?? `other — ${d.title}`}`));
    const field = (label: string, text: string): void => {
      out.push(`  ${label.padEnd(14)}${wrap(text, width, 16)}`);
    };
    field('What happened', `${d.summary} (stage: ${d.stage})`);
    if (d.serverSaid) field('Server said', d.serverSaid);
    field('Meaning', d.meaning);
    field('Fix first', d.firstFix);
    out.push(`  ${'Causes'.padEnd(14)}${d.causes.map((c, i) => `${i ? ' '.repeat(16) : ''}- ${wrap(c, width, 18)}`).join('\n')}`);
    out.push(`  ${'Fixes'.padEnd(14)}${d.fixes.map((c, i) => `${i ? ' '.repeat(16) : ''}- ${wrap(c, width, 18)}`).join('\n')}`);
    field('Partner', d.partner);
    if (d.note) field('Note', d.note);
    for (const f of d.findings ?? []) {
      field('Finding', f.message);
      out.push(`  ${'Turn it off'.padEnd(14)}${f.fixes.map((c, i) => `${i ? ' '.repeat(16) : ''}- ${wrap(c, width, 18)}`).join('\n')}`);
    }
  }
  if (result.message) {
    out.push('');
    out.push(paint('bold', 'Exchange Online would report:'));
    out.push(`  ${result.message}`);
  }
  const global = result.warnings.filter((w) => w.kind === 'path-failed');
  if (global.length && result.verdict === 'degraded') {
    out.push('');
    out.push(paint('yellow', 'Mail would still flow, but not on every path:'));
    for (const w of global) out.push(`  ! ${wrap(w.message, width, 4)}`);
  }
  return `${out.join('\n')}\n`;
}
