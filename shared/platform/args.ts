/**
 * Command lines of every entry point: `node:util` parseArgs (strict), declared once per command
 * with typed options, and errors that say what to do. A bad command line throws a UsageError
 * (a ValidationError, code `usage`) whose message is the problem, a blank line and the usage.
 *
 * Option kinds beyond parseArgs' string/boolean, checked here so every command words them alike:
 *   number  a finite number within [min, max] (integer: whole numbers only)
 *   choice  one of `choices`
 *   list    comma-separated values, trimmed, empty items dropped; the option may be repeated
 *           and the lists add up; `allowed` restricts the values
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ValidationError } from './errors.ts';

export type OptionSpec =
  | { type: 'boolean'; short?: string }
  /** `value` says what the option takes, for "--x needs …" messages: e.g. "a file name". */
  | { type: 'string'; short?: string; value: string }
  | { type: 'number'; short?: string; min: number; max?: number; integer?: boolean }
  | { type: 'choice'; short?: string; choices: readonly string[] }
  | { type: 'list'; short?: string; value: string; allowed?: readonly string[] };

type ValueOf<S extends OptionSpec> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'number' }
    ? number
    : S extends { type: 'choice'; choices: readonly (infer C)[] }
      ? C
      : S extends { type: 'list'; allowed: readonly (infer A)[] }
        ? A[]
        : S extends { type: 'list' }
          ? string[]
          : string;

/** Parsed values; an option not given is undefined (defaults are the caller's). */
export type OptionValues<O extends Record<string, OptionSpec>> = { -readonly [K in keyof O]?: ValueOf<O[K]> };

export class UsageError extends ValidationError {
  readonly problem: string;
  readonly usage: string;
  constructor(problem: string, usage: string, options: { cause?: unknown } = {}) {
    super('usage', `${problem}\n\n${usage}`, options);
    this.problem = problem;
    this.usage = usage;
  }
}

export interface CommandLine<O extends Record<string, OptionSpec>> {
  readonly usage: string;
  /** Parse `argv` (without node and the script). Throws UsageError. */
  parse(argv: readonly string[]): { values: OptionValues<O>; positionals: string[] };
  /** For entry points: `parse`, then as in `parseOrExit`. */
  parseOrExit(argv: readonly string[]): { values: OptionValues<O>; positionals: string[] };
  /** Throw a UsageError for a problem found after parsing (e.g. a value in the wrong format). */
  fail(problem: string, cause?: unknown): never;
  /** Check a number given as a positional argument (`label` names it in the error), as for number options. */
  number(label: string, text: string, range: NumberRange): number;
}

export type NumberRange = Omit<Extract<OptionSpec, { type: 'number' }>, 'type' | 'short'>;

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  usage: string;
  options: O;
  /** How many arguments that are not options are allowed (default 0). */
  positionals?: number;
}

/** What an option takes, in words: "an integer ≥ 0", "a number from 0 to 0.5", "a list of …". */
export function describeValue(spec: OptionSpec): string {
  switch (spec.type) {
    case 'boolean':
      return 'no value';
    case 'string':
    case 'list':
      return spec.value;
    case 'choice':
      return `one of ${spec.choices.join(', ')}`;
    case 'number': {
      const what = spec.integer ? 'an integer' : 'a number';
      return spec.max === undefined ? `${what} ≥ ${spec.min}` : `${what} from ${spec.min} to ${spec.max}`;
    }
  }
}

export function commandLine<const O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): CommandLine<O> {
  const nodeOptions: ParseArgsOptionsConfig = {};
  for (const [name, o] of Object.entries(spec.options)) {
    nodeOptions[name] = {
      type: o.type === 'boolean' ? 'boolean' : 'string',
      ...(o.short === undefined ? {} : { short: o.short }),
      ...(o.type === 'list' ? { multiple: true } : {}),
    };
  }
  const fail = (problem: string, cause?: unknown): never => {
    throw new UsageError(problem, spec.usage, cause === undefined ? {} : { cause });
  };

  /** Names the first thing wrong with `args`, for an error thrown by strict parseArgs. */
  function explain(args: string[]): string | undefined {
    const { tokens } = parseArgs({ args, options: nodeOptions, strict: false, allowPositionals: true, tokens: true });
    for (const t of tokens) {
      if (t.kind === 'positional' && !spec.positionals) return `unexpected argument ${t.value}`;
      if (t.kind !== 'option') continue;
      const o = spec.options[t.name];
      if (o === undefined) return `unknown option ${t.rawName}`;
      if (o.type === 'boolean') {
        if (t.value !== undefined) return `--${t.name} takes no value`;
        continue;
      }
      if (t.value === undefined) return `--${t.name} needs ${describeValue(o)}`;
      if (!t.inlineValue && t.value.startsWith('-')) return `--${t.name} needs ${describeValue(o)}, not "${t.value}" (write --${t.name}=${t.value} if that is the value)`;
    }
    return undefined;
  }

  function number(label: string, text: string, range: NumberRange): number {
    const n = Number(text);
    const ok = text.trim() !== '' && Number.isFinite(n) && n >= range.min && (range.max === undefined || n <= range.max) && (!range.integer || Number.isSafeInteger(n));
    return ok ? n : fail(`${label} needs ${describeValue({ type: 'number', ...range })}, got "${text}"`);
  }

  function convert(name: string, o: OptionSpec, raw: string | boolean | (string | boolean)[]): unknown {
    if (o.type === 'boolean' || o.type === 'string') return raw;
    if (o.type === 'number') return number(`--${name}`, String(raw), o);
    if (o.type === 'choice') return o.choices.includes(String(raw)) ? raw : fail(`--${name} needs ${describeValue(o)}, got "${String(raw)}"`);
    const items = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
    if (items.length === 0) fail(`--${name} needs ${describeValue(o)}`);
    const unknown = o.allowed ? items.filter((v) => !o.allowed!.includes(v)) : [];
    if (unknown.length > 0) fail(`--${name}: unknown ${unknown.map((v) => `"${v}"`).join(', ')}; choose from ${o.allowed!.join(', ')}`);
    return items;
  }

  const cli: CommandLine<O> = {
    usage: spec.usage,
    fail,
    number,
    parseOrExit: (argv) => parseOrExit(spec.usage, () => cli.parse(argv), (r) => r.values.help === true),
    parse(argv) {
      const args = [...argv];
      let parsed: ReturnType<typeof parseArgs>;
      try {
        parsed = parseArgs({ args, options: nodeOptions, strict: true, allowPositionals: (spec.positionals ?? 0) > 0 });
      } catch (err) {
        return fail(explain(args) ?? (err as Error).message, err);
      }
      const extra = parsed.positionals[spec.positionals ?? 0];
      if (extra !== undefined) fail(`unexpected argument ${extra}`);
      const values: Record<string, unknown> = {};
      for (const [name, raw] of Object.entries(parsed.values)) {
        const o = spec.options[name];
        if (o !== undefined && raw !== undefined) values[name] = convert(name, o, raw);
      }
      return { values: values as OptionValues<O>, positionals: parsed.positionals };
    },
  };
  return cli;
}

/**
 * For entry points: run `parse`; when `isHelp` says so, print the usage on stdout and exit 0;
 * on a UsageError print it (problem and usage) on stderr and exit 2. Other errors propagate.
 */
export function parseOrExit<T>(usage: string, parse: () => T, isHelp: (parsed: T) => boolean): T {
  let parsed: T;
  try {
    parsed = parse();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (isHelp(parsed)) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed;
}
