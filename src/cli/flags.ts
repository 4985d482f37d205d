/**
 * The probe options as command-line flags, derived from the options schema: each door
 * (`probe`, `probe explain`, `probe verify`, `probe serve`) gets every option that means
 * something there, and this is the one place flags become ProbeOptions. Values stay as
 * commander hands them over (text): resolveSettings() parses each one and names the
 * value it rejects.
 */
import { Option, type Command } from 'commander';
import { readCaFiles, type ProbeOptions } from '../core/options.js';
import { flagAttribute, optionsOf, type Door, type OptionSpec } from '../core/option-schema.js';
import type { Language } from '../catalog/index.js';
import { negatedOptionHelp, optionHelp } from '../catalog/option-help.js';

/** What commander hands over for the probe flags (each under its flag's attribute name). */
export type ProbeFlags = Record<string, unknown>;

/** commander's parser of a repeatable option: every value, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function flagged(door: Door): (OptionSpec & { flag: NonNullable<OptionSpec['flag']> })[] {
  return optionsOf(door).filter((spec): spec is OptionSpec & { flag: NonNullable<OptionSpec['flag']> } => spec.flag !== undefined);
}

/** The commander option of one probe option in one door, its help in a language (default English). */
export function probeFlag(spec: OptionSpec, door: Door, language: Language = 'en'): Option {
  const flag = spec.flag!;
  const option = new Option(`${flag.short ? `${flag.short}, ` : ''}${flag.long}${flag.value ? ` ${flag.value}` : ''}`, optionHelp(spec, door, language));
  if (spec.choices) option.choices(spec.choices);
  if (flag.repeatable) option.argParser(collect);
  if (flag.hidden) option.hideHelp();
  return option;
}

/** Adds the door's probe flags to a command. */
export function addProbeFlags(command: Command, door: Door, language: Language = 'en'): Command {
  for (const spec of flagged(door)) {
    command.addOption(probeFlag(spec, door, language));
    // `--policies` / `--no-policies`: commander stores both under one attribute, unset when neither is given.
    if (spec.flag.negatedHelp) command.addOption(new Option(spec.flag.long.replace(/^--/, '--no-'), negatedOptionHelp(spec, language)));
  }
  return command;
}

/** ProbeOptions from the flags that were given (absent flags leave the defaults); CA files are read here. */
export function probeOptionsFromFlags(flags: ProbeFlags, door: Door): ProbeOptions {
  const options: Record<string, unknown> = {};
  for (const spec of flagged(door)) {
    const value = flags[flagAttribute(spec.flag)];
    if (value === undefined) continue;
    options[spec.key] = spec.kind === 'pem' ? readCaFiles(value as string[]) : value;
  }
  return options as ProbeOptions;
}
