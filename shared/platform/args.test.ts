import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.ts';
import { commandLine, describeValue, UsageError } from './args.ts';

const USAGE = 'usage: thing [options]';
const cli = commandLine({
  usage: USAGE,
  options: {
    help: { type: 'boolean', short: 'h' },
    name: { type: 'string', value: 'a name, e.g. --name x' },
    rate: { type: 'number', min: 0 },
    share: { type: 'number', min: 0, max: 0.5 },
    count: { type: 'number', min: 1, integer: true },
    only: { type: 'list', value: 'a list of parts, e.g. --only a,b', allowed: ['a', 'b', 'c'] },
    mode: { type: 'choice', choices: ['fast', 'slow'] },
  },
});

const problem = (argv: string[]): string => {
  try {
    cli.parse(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as UsageError).code).toBe('usage');
    expect((err as Error).message.endsWith(`\n\n${USAGE}`)).toBe(true);
    return (err as UsageError).problem;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
};

describe('commandLine', () => {
  it('parses typed values in --k v, --k=v and short forms', () => {
    expect(cli.parse([]).values).toEqual({});
    expect(cli.parse(['-h', '--name', 'x', '--rate=2.5', '--share', '0.5', '--count', '3', '--only', 'a, b', '--only=c', '--mode', 'slow']).values).toEqual({ help: true, name: 'x', rate: 2.5, share: 0.5, count: 3, only: ['a', 'b', 'c'], mode: 'slow' });
    const typed: { mode?: 'fast' | 'slow'; only?: ('a' | 'b' | 'c')[]; count?: number } = cli.parse(['--mode=fast']).values;
    expect(typed.mode).toBe('fast');
    expect(cli.parse(['--name=-dash']).values.name).toBe('-dash');
  });

  it('says what is wrong and what the option takes', () => {
    expect(problem(['--nope'])).toBe('unknown option --nope');
    expect(problem(['-x'])).toBe('unknown option -x');
    expect(problem(['stray'])).toBe('unexpected argument stray');
    expect(problem(['--help=yes'])).toBe('--help takes no value');
    expect(problem(['--name'])).toBe('--name needs a name, e.g. --name x');
    expect(problem(['--rate', '-5'])).toBe('--rate needs a number ≥ 0, not "-5" (write --rate=-5 if that is the value)');
    expect(problem(['--rate=-5'])).toBe('--rate needs a number ≥ 0, got "-5"');
    expect(problem(['--rate', 'fast'])).toBe('--rate needs a number ≥ 0, got "fast"');
    expect(problem(['--rate', ''])).toBe('--rate needs a number ≥ 0, got ""');
    expect(problem(['--share', '0.9'])).toBe('--share needs a number from 0 to 0.5, got "0.9"');
    expect(problem(['--count', '1.5'])).toBe('--count needs an integer ≥ 1, got "1.5"');
    expect(problem(['--only', ''])).toBe('--only needs a list of parts, e.g. --only a,b');
    expect(problem(['--only', '--help'])).toMatch(/^--only needs a list of parts/);
    expect(problem(['--only', 'a,z,y'])).toBe('--only: unknown "z", "y"; choose from a, b, c');
    expect(problem(['--mode', 'medium'])).toBe('--mode needs one of fast, slow, got "medium"');
    expect(problem(['--mode'])).toBe('--mode needs one of fast, slow');
  });

  it('takes as many positionals as allowed, and fail() throws a usage error', () => {
    const withArgs = commandLine({ usage: USAGE, options: { all: { type: 'boolean' } }, positionals: 1 });
    expect(withArgs.parse(['up', '--all'])).toEqual({ values: { all: true }, positionals: ['up'] });
    expect(() => withArgs.parse(['up', 'down'])).toThrow(/^unexpected argument down\n/);
    expect(() => withArgs.fail('unknown command x')).toThrow(new UsageError('unknown command x', USAGE));
    expect(withArgs.number('messages', '500', { min: 1, integer: true })).toBe(500);
    expect(() => withArgs.number('messages', 'many', { min: 1, integer: true })).toThrow(/^messages needs an integer ≥ 1, got "many"/);
  });

  it('describes values in words', () => {
    expect(describeValue({ type: 'number', min: 1, max: 64, integer: true })).toBe('an integer from 1 to 64');
    expect(describeValue({ type: 'boolean' })).toBe('no value');
  });
});
