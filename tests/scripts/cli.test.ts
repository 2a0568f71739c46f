import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { AppError } from '@/lib/errors';
import {
  booleanFlag,
  commaList,
  createProgress,
  EXIT,
  formatHelp,
  parseCommandLine,
  positiveNumber,
  runCommand,
  runMain,
  sharedFlags,
  wholeNumber,
  type Command,
} from '@/scripts/cli';

const example = {
  name: 'example',
  summary: 'Does one example thing.',
  flags: {
    leads: sharedFlags.leads,
    store: sharedFlags.store,
    json: sharedFlags.json,
    count: { value: 'N', help: 'how many', schema: wholeNumber({ min: 1, max: 50 }).default(10) },
    ratio: { value: 'X', help: 'a ratio', schema: positiveNumber().optional() },
    tags: { value: 'LIST', help: 'tags', schema: commaList().optional() },
    target: { value: 'PATH', help: 'where to', schema: z.string().min(1) },
    force: booleanFlag('do it anyway'),
  },
  exitCodes: { 3: 'drift alarm', [EXIT.FAILED]: 'a lead failed' },
  run: async () => EXIT.OK,
} satisfies Command;

/** The USAGE error's message for argv, or the parsed values. */
function parse(argv: string[]) {
  return parseCommandLine(example, argv);
}
function usageMessage(argv: string[]): string {
  try {
    parse(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('USAGE');
    return (error as AppError).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('applies defaults and leaves absent optional flags undefined', () => {
    expect(parse(['--target', 'x'])).toEqual({
      help: false,
      positionals: [],
      flags: { leads: undefined, store: undefined, json: false, count: 10, ratio: undefined, tags: undefined, target: 'x', force: false },
    });
  });

  it('reads values spaced or attached, switches, numbers and lists, through the schemas', () => {
    const parsed = parse(['--leads=a.json', '--store', 'postgres', '--json', '--count', '12', '--ratio', '0.5', '--tags', 'a, b,,c', '--target=t', '--force']);
    expect(parsed).toMatchObject({ flags: { leads: 'a.json', store: 'postgres', json: true, count: 12, ratio: 0.5, tags: ['a', 'b', 'c'], target: 't', force: true } });
  });

  it('--help or -h anywhere before "--" asks for help, even beside a bad flag; after "--" it is an argument', () => {
    expect(parse(['--bogus', '--help'])).toEqual({ help: true });
    expect(parse(['-h'])).toEqual({ help: true });
    expect(usageMessage(['--target', 'x', '--', '--help'])).toBe('unexpected argument "--help"');
  });

  it('names the flag in one line for each kind of mistake', () => {
    expect(usageMessage(['--bogus'])).toBe('unknown flag --bogus');
    expect(usageMessage(['-x'])).toBe('unknown flag -x');
    expect(usageMessage(['--target'])).toBe('--target needs a value (PATH)');
    expect(usageMessage(['--target', '--json'])).toBe('--target needs a value (PATH); for a value starting with "-", write --target=--json');
    expect(usageMessage(['--json=yes', '--target', 'x'])).toBe('--json takes no value (got "yes")');
    expect(usageMessage(['--target', 'x', 'stray'])).toBe('unexpected argument "stray"');
    expect(usageMessage([])).toBe('--target PATH is required');
    expect(usageMessage(['--target', 'x', '--count', 'ten'])).toBe('--count: must be a whole number (got "ten")');
    expect(usageMessage(['--target', 'x', '--count', '51'])).toBe('--count: must be at most 50 (got "51")');
    expect(usageMessage(['--target', 'x', '--count', '1.5'])).toBe('--count: must be a whole number (got "1.5")');
    expect(usageMessage(['--target', 'x', '--ratio', 'abc'])).toBe('--ratio: must be a number (got "abc")');
    expect(usageMessage(['--target', 'x', '--ratio', '0'])).toBe('--ratio: must be more than 0 (got "0")');
    expect(usageMessage(['--target', 'x', '--tags', ','])).toBe('--tags: needs at least one item, e.g. a,b (got ",")');
    expect(usageMessage(['--target', 'x', '--store', 'mysql'])).toBe('--store: must be file, postgres, supabase (got "mysql")');
    expect(usageMessage(['--target', 'x', '--leads='])).toBe('--leads: needs a path (got "")');
  });

  it('takes a negative number as a value, and then judges it by the schema', () => {
    expect(usageMessage(['--target', 'x', '--count', '-5'])).toBe('--count: must be at least 1 (got "-5")');
  });

  it('reports the first bad flag in the order typed', () => {
    expect(usageMessage(['--count', '0', '--store', 'mysql'])).toMatch(/^--count:/);
    expect(usageMessage(['--store', 'mysql', '--count', '0'])).toMatch(/^--store:/);
  });

  it('counts positionals against the declaration', () => {
    const copy = { ...example, flags: {}, positionals: [{ name: 'FILE', help: 'the file' }, { name: 'MORE', help: 'optional', optional: true }] } satisfies Command;
    expect(parseCommandLine(copy, ['a.csv'])).toEqual({ help: false, flags: {}, positionals: ['a.csv'] });
    expect(parseCommandLine(copy, ['a.csv', '-'])).toMatchObject({ positionals: ['a.csv', '-'] });
    expect(() => parseCommandLine(copy, [])).toThrow('missing FILE');
    expect(() => parseCommandLine(copy, ['a', 'b', 'c'])).toThrow('unexpected argument "c"');
  });

  it('shared --as-of takes an ISO date or "now", like SCORING_AS_OF', () => {
    const asOf = { ...example, flags: { 'as-of': sharedFlags['as-of'] } } satisfies Command;
    expect(parseCommandLine(asOf, ['--as-of', '2026-12-01'])).toMatchObject({ flags: { 'as-of': '2026-12-01' } });
    expect(parseCommandLine(asOf, ['--as-of', 'now'])).toMatchObject({ flags: { 'as-of': 'now' } });
    expect(() => parseCommandLine(asOf, ['--as-of', 'yesterday'])).toThrow('--as-of: must be an ISO date or "now" (got "yesterday")');
  });
});

describe('formatHelp', () => {
  const help = formatHelp(example);

  it('starts with the usage line: required flags and positionals spelled out, the rest as [flags]', () => {
    expect(help.split('\n')[0]).toBe('Usage: npm run example -- --target PATH [flags]');
    expect(formatHelp({ ...example, flags: {} }).split('\n')[0]).toBe('Usage: npm run example');
    expect(formatHelp({ ...example, flags: {}, positionals: [{ name: 'FILE', help: 'the export' }] })).toMatch(/^Usage: npm run example -- FILE\n[\s\S]*Arguments:\n {2}FILE {2}the export/);
  });

  it('lists every declared flag with its placeholder, help, default or "(required)", and --help', () => {
    expect(help).toContain('Does one example thing.');
    for (const [name, flag] of Object.entries(example.flags)) expect(help).toMatch(new RegExp(`^  --${name}${'value' in flag ? ` ${flag.value}` : ''} +${flag.help.replace(/[()|]/g, '\\$&')}`, 'm'));
    expect(help).toMatch(/--count N +how many \(default 10\)$/m);
    expect(help).toMatch(/--target PATH +where to \(required\)$/m);
    expect(help).toMatch(/--force +do it anyway$/m);
    expect(help).toMatch(/--help +print this text and exit$/m);
  });

  it('documents the common exit codes, with the command’s own added or reworded, in order', () => {
    const codes = help.slice(help.indexOf('Exit codes:'));
    expect(codes).toBe(['Exit codes:', '  0    done', '  1    a lead failed', '  2    bad usage: an unknown flag, or a missing or bad value', '  3    drift alarm', '  130  interrupted (Ctrl-C)'].join('\n'));
  });
});

describe('runMain and runCommand', () => {
  const errors: string[] = [];
  const logs: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
    errors.length = 0;
    logs.length = 0;
  });
  const capture = () => {
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(format(...args)));
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(format(...args)));
  };

  it('exits with the code main returns, 0 when it returns nothing', async () => {
    capture();
    await runMain('x', async () => 3);
    expect(process.exitCode).toBe(3);
    await runMain('x', async () => undefined);
    expect(process.exitCode).toBe(0);
  });

  it('an AppError: its message, no stack trace, exit 1', async () => {
    capture();
    await runMain('x', async () => {
      throw new AppError('INVALID_INPUT', 'leads.json: record L-1, field email: not an email');
    });
    expect(process.exitCode).toBe(EXIT.FAILED);
    expect(errors).toEqual(['x: leads.json: record L-1, field email: not an email']);
  });

  it('a bad flag: one line pointing at --help, exit 2, and run() never starts', async () => {
    capture();
    const run = vi.fn(async () => EXIT.OK);
    await runCommand({ ...example, run }, ['--target', 'x', '--count', 'lots']);
    expect(process.exitCode).toBe(EXIT.USAGE);
    expect(errors).toEqual(['example: --count: must be a whole number (got "lots"); see npm run example -- --help']);
    expect(run).not.toHaveBeenCalled();
  });

  it('--help prints the generated help on stdout and exits 0 without running', async () => {
    capture();
    const run = vi.fn(async () => EXIT.FAILED);
    await runCommand({ ...example, run }, ['--help']);
    expect(process.exitCode).toBe(EXIT.OK);
    expect(logs).toEqual([formatHelp(example)]);
    expect(run).not.toHaveBeenCalled();
  });

  it('passes the validated flags to run() and exits with its code', async () => {
    capture();
    const run = vi.fn(async () => 3);
    await runCommand({ ...example, run }, ['--target', 'x', '--count', '7']);
    expect(run).toHaveBeenCalledWith(expect.objectContaining({ flags: expect.objectContaining({ target: 'x', count: 7 }), positionals: [] }));
    expect(process.exitCode).toBe(3);
  });

  it('a bug (not an AppError) prints in full, with its stack, exit 1', async () => {
    capture();
    await runMain('x', async () => {
      throw new TypeError('undefined is not a function');
    });
    expect(process.exitCode).toBe(EXIT.FAILED);
    expect(errors[0]).toMatch(/^x failed: TypeError: undefined is not a function\n\s+at /);
  });
});

describe('createProgress', () => {
  function fakeStream() {
    const writes: string[] = [];
    return { writes, stream: { write: (chunk: string) => (writes.push(chunk), true) } as unknown as NodeJS.WritableStream };
  }

  it('plain lines: nothing in the first second, then every tenth of the work or 5 s, the last line once', () => {
    let now = 0;
    const { writes, stream } = fakeStream();
    const progress = createProgress({ label: 'seed', total: 100, stream, tty: false, clock: () => now });
    now = 500;
    progress.update(50);
    expect(writes).toEqual([]);
    now = 1_000;
    progress.update(50, 'upserted');
    expect(writes).toEqual(['[seed] 50/100 (50%) · upserted · 50/s · ETA 1s\n']);
    now = 1_100;
    progress.update(59);
    expect(writes).toHaveLength(1);
    progress.update(60);
    expect(writes).toHaveLength(2);
    now = 6_200;
    progress.update(61);
    expect(writes).toHaveLength(3);
    now = 6_300;
    progress.update(100);
    progress.update(100);
    expect(writes).toHaveLength(4);
    expect(writes[3]).toBe('[seed] 100/100 (100%) · 16/s\n');
    progress.end();
    expect(writes).toHaveLength(4);
  });

  it('a terminal: one line redrawn with a bar at most every 100 ms, ended by a newline at the last item or by end()', () => {
    let now = 2_000;
    const { writes, stream } = fakeStream();
    const progress = createProgress({ label: 'enrich', total: 4, stream, tty: true, rate: false, quietMs: 0, clock: () => now });
    progress.update(1, '1 enriched');
    expect(writes).toEqual([`\r\x1b[2Kenrich [${'#'.repeat(6)}${'-'.repeat(18)}] 1/4 (25%) · 1 enriched`]);
    now += 50;
    progress.update(2);
    expect(writes).toHaveLength(1);
    now += 60;
    progress.update(2);
    expect(writes[1]).toMatch(/\r\x1b\[2Kenrich \[#{12}-{12}\] 2\/4 \(50%\)$/);
    progress.end();
    expect(writes[2]).toBe('\n');
    progress.end();
    expect(writes).toHaveLength(3);

    const finished = fakeStream();
    const done = createProgress({ label: 'x', total: 2, stream: finished.stream, tty: true, quietMs: 0, clock: () => now });
    done.update(2);
    expect(finished.writes[0]!.endsWith('\n')).toBe(true);
    done.end();
    expect(finished.writes).toHaveLength(1);
  });
});
