import { UsageError } from '../core/options.js';
import { en, type Catalog } from './en.js';
import { ptBR } from './pt-br.js';

/** The languages of the diagnostics. */
export type Language = 'en' | 'pt-BR';

export const LANGUAGES: readonly Language[] = ['en', 'pt-BR'];

export const CATALOGS: Record<Language, Catalog> = { en, 'pt-BR': ptBR };

/** `pt-BR`, `pt_br`, `PT-br` → `pt-BR`; anything else is a usage error naming it. */
export function parseLanguage(input: string): Language {
  const norm = input.trim().replace('_', '-').toLowerCase();
  const found = LANGUAGES.find((l) => l.toLowerCase() === norm);
  if (!found) throw new UsageError(`invalid language "${input}": must be one of ${LANGUAGES.join(', ')}`);
  return found;
}

/**
 * The language to use: the flag when given, else the locale — the first of LC_ALL,
 * LC_MESSAGES, LANG that is set, as POSIX orders them (`pt_BR.UTF-8` → pt-BR) — else English.
 */
export function chooseLanguage(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Language {
  if (flag !== undefined) return parseLanguage(flag);
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '');
  return locale && /^pt[_-]BR\b/i.test(locale) ? 'pt-BR' : 'en';
}

/** The catalog of a language. */
export function catalogFor(language: Language): Catalog {
  return CATALOGS[language];
}
