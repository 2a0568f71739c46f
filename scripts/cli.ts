/**
 * The one command-line convention of scripts/. A command declares itself once with `defineCommand`: its
 * name, a one-line summary, its flags (each a zod schema with a help line) and the exit codes it adds.
 * That declaration both validates argv and generates `--help`, so the two cannot drift apart. Flags that
 * mean the same thing in several commands are declared once, in `sharedFlags`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { asOfSetting } from '../lib/as-of';
import { DEFAULT_HOLDOUT, DEFAULT_SPLIT_SEED } from '../lib/split';
import { STORE_KINDS } from '../lib/env';
import { AppError, formatIssues, isAppError } from '../lib/errors';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, INTERRUPTED: 130 } as const;

/** What every command's exit codes mean; a command adds its own, or words one of these more precisely. */
export const COMMON_EXIT_CODES: Readonly<Record<number, string>> = {
  [EXIT.OK]: 'done',
  [EXIT.FAILED]: 'failed (the message names the file, record or setting)',
  [EXIT.USAGE]: 'bad usage: an unknown flag, or a missing or bad value',
  [EXIT.INTERRUPTED]: 'interrupted (Ctrl-C)',
};

export interface Flag<S extends z.ZodType = z.ZodType> {
  /** The value's placeholder in --help (`PATH`, `N`); a flag without one is a switch: true when given. */
  value?: string;
  help: string;
  /** Validates the raw value (a string, `true` for a given switch, undefined when absent). */
  schema: S;
}

/** A flag that takes a value, `--name VALUE` or `--name=VALUE`. */
export const valueFlag = <S extends z.ZodType>(value: string, help: string, schema: S): Flag<S> => ({ value, help, schema });

/** A switch: false unless given. */
export const booleanFlag = (help: string): Flag<z.ZodDefault<z.ZodBoolean>> => ({ help, schema: z.boolean().default(false) });

/** A whole-number value; its bounds are in its messages. */
export function wholeNumber({ min, max }: { min?: number; max?: number } = {}) {
  let n = z.number().int('is too large a number');
  if (min !== undefined) n = n.min(min, `must be at least ${min}`);
  if (max !== undefined) n = n.max(max, `must be at most ${max}`);
  return z.string().trim().regex(/^[-+]?\d+$/, 'must be a whole number').transform(Number).pipe(n);
}

/** A number above zero (seconds, dollars). */
export const positiveNumber = () =>
  z.string().trim().min(1, 'must be a number').transform(Number).pipe(z.number({ error: 'must be a number' }).gt(0, 'must be more than 0'));

/** A share strictly between 0 and 1 (0.3). */
export const shareOfOne = () =>
  z.string().trim().min(1, 'must be a number').transform(Number).pipe(z.number({ error: 'must be a number' }).gt(0, 'must be more than 0').lt(1, 'must be less than 1'));

/** A comma-separated list, `a,b,c`, of at least one item. */
export const commaList = () =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.string()).min(1, 'needs at least one item, e.g. a,b'));

const filePath = z.string().min(1, 'needs a path');

/** One name and one meaning across commands. A command may word `help` for itself: `{ ...sharedFlags.out, help }`. */
export const sharedFlags = {
  leads: valueFlag('PATH', 'leads JSON file (default: LEADS_PATH, or data/synthetic_leads.json)', filePath.optional()),
  rules: valueFlag('PATH', 'rule set JSON file (default: SCORING_RULES, or the built-in rules)', filePath.optional()),
  store: valueFlag('KIND', `${STORE_KINDS.join(' | ')} (default: LEAD_STORE)`, z.enum(STORE_KINDS, { error: `must be ${STORE_KINDS.join(', ')}` }).optional()),
  out: valueFlag('PATH', 'file to write, atomically', filePath.optional()),
  json: booleanFlag('print the result as JSON'),
  'skip-invalid': booleanFlag('load the valid records of a leads file with bad ones (listing them) instead of failing'),
  'as-of': valueFlag('DATE', 'reference date for recency: an ISO date or "now" (default: SCORING_AS_OF, or the latest activity in the data)', asOfSetting.optional()),
  holdout: valueFlag('SHARE', `share of leads held out as the test half, above 0 and below 1 (default ${DEFAULT_HOLDOUT})`, shareOfOne().optional()),
  'split-seed': valueFlag('N', `seed of the split's hash of lead ids (default ${DEFAULT_SPLIT_SEED})`, wholeNumber().optional()),
  'split-by': valueFlag('FIELD', '"id" (a hash of the lead id; the default) or a date field such as created_at, whose newest share is the test half', z.string().trim().min(1, 'needs "id" or a field name').optional()),
  email: valueFlag(
    'ADDRESS',
    "a sign-in account's email address",
    z.string({ error: 'is required' }).trim().pipe(z.email({ error: 'must be an email address' })).transform((v) => v.toLowerCase()),
  ),
} satisfies Record<string, Flag>;

type Flags = Record<string, Flag>;
export type FlagValues<F extends Flags> = { [K in keyof F]: z.output<F[K]['schema']> };

export interface Positional {
  name: string;
  help: string;
  optional?: boolean;
}

export interface Command<F extends Flags = Flags> {
  /** The npm script: `npm run <name>`. */
  name: string;
  summary: string;
  /** More paragraphs for --help. */
  details?: string;
  flags: F;
  positionals?: readonly Positional[];
  /** Codes beyond COMMON_EXIT_CODES, or a more precise wording of one of them. */
  exitCodes?: Readonly<Record<number, string>>;
  /** End the process when run() settles, for commands whose clients may hold sockets open. */
  exitWhenDone?: boolean;
  run(input: { flags: FlagValues<F>; positionals: string[] }): Promise<number | void>;
}

const usage = (message: string) => new AppError('USAGE', message);
const isRequired = (flag: Flag) => !flag.schema.safeParse(undefined).success;
/** `--leads PATH`, `--json`. */
const synopsisOf = (name: string, flag: Flag) => `--${name}${flag.value ? ` ${flag.value}` : ''}`;

/** argv against a command's declaration: `{ help: true }` for --help/-h, else the validated values; a bad flag throws a USAGE AppError. */
export function parseCommandLine<F extends Flags>(
  command: Command<F>,
  argv: readonly string[],
): { help: true } | { help: false; flags: FlagValues<F>; positionals: string[] } {
  const end = argv.indexOf('--');
  const options = argv.slice(0, end < 0 ? argv.length : end);
  if (options.includes('--help') || options.includes('-h')) return { help: true };

  // parseArgs splits argv into tokens; the checks strict mode would make are made here, to word them per flag.
  const types = Object.fromEntries(Object.entries(command.flags).map(([name, flag]) => [name, { type: flag.value ? 'string' : 'boolean' } as const]));
  const { tokens } = parseArgs({ args: [...argv], options: types, strict: false, allowPositionals: true, tokens: true });
  const raw: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const flag = token.rawName.startsWith('--') && Object.hasOwn(command.flags, token.name) ? command.flags[token.name]! : undefined;
    if (!flag) throw usage(`unknown flag ${token.rawName}`);
    // A value may not look like a flag unless attached (`--out=-x`); negative numbers may (`--min -5`).
    if (flag.value && (token.value === undefined || (!token.inlineValue && /^-(?!\d)/.test(token.value)))) {
      const dash = token.value ? `; for a value starting with "-", write ${token.rawName}=${token.value}` : '';
      throw usage(`${token.rawName} needs a value (${flag.value})${dash}`);
    }
    if (!flag.value && token.value !== undefined) throw usage(`${token.rawName} takes no value (got "${token.value}")`);
    raw[token.name] = token.value ?? true;
  }

  const declared = command.positionals ?? [];
  if (positionals.length > declared.length) throw usage(`unexpected argument "${positionals[declared.length]}"`);
  const missing = declared.slice(positionals.length).find((p) => !p.optional);
  if (missing) throw usage(`missing ${missing.name}`);

  const flags: Record<string, unknown> = {};
  // In the order given, so the first bad flag reported is the first one typed; then the ones left out.
  for (const name of new Set([...Object.keys(raw), ...Object.keys(command.flags)])) {
    const flag = command.flags[name]!;
    const given = raw[name];
    const result = flag.schema.safeParse(given);
    if (!result.success) {
      throw usage(given === undefined ? `${synopsisOf(name, flag)} is required` : `--${name}: ${result.error.issues[0]!.message} (got "${String(given)}")`);
    }
    flags[name] = result.data;
  }
  return { help: false, flags: flags as FlagValues<F>, positionals };
}

/** The --help text, generated from the declaration. */
export function formatHelp(command: Command): string {
  const flags = Object.entries(command.flags);
  const positionals = command.positionals ?? [];
  const required = flags.filter(([, flag]) => isRequired(flag)).map(([name, flag]) => synopsisOf(name, flag));
  const synopsis = [...positionals.map((p) => (p.optional ? `[${p.name}]` : p.name)), ...required, ...(flags.length > required.length ? ['[flags]'] : [])];
  const table = (rows: [string, string][]) => {
    const width = Math.max(...rows.map(([left]) => left.length));
    return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd()).join('\n');
  };
  const helpOf = (flag: Flag) => {
    if (isRequired(flag)) return `${flag.help} (required)`;
    const fallback = flag.schema instanceof z.ZodDefault ? flag.schema.def.defaultValue : undefined;
    return fallback === undefined || fallback === false ? flag.help : `${flag.help} (default ${String(fallback)})`;
  };
  const exitCodes = Object.entries({ ...COMMON_EXIT_CODES, ...command.exitCodes }).sort(([a], [b]) => Number(a) - Number(b));
  return [
    `Usage: npm run ${command.name}${synopsis.length ? ` -- ${synopsis.join(' ')}` : ''}`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    ...(positionals.length ? ['', 'Arguments:', table(positionals.map((p) => [p.name, p.help]))] : []),
    '',
    'Flags:',
    table([...flags.map(([name, flag]): [string, string] => [synopsisOf(name, flag), helpOf(flag)]), ['--help', 'print this text and exit']]),
    '',
    'Exit codes:',
    table(exitCodes),
  ].join('\n');
}

/** Declares a command and, when its module is the script being run, runs it with process.argv. */
export function defineCommand<F extends Flags>(moduleUrl: string, command: Command<F>): Command<F> {
  if (isEntryPoint(moduleUrl)) void runCommand(command, process.argv.slice(2));
  return command;
}

/** Whether the module at `moduleUrl` is the script node was started with (tests import commands without running them). */
function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false; // argv[1] is not a file: node -e, a REPL
  }
}

export function runCommand<F extends Flags>(command: Command<F>, argv: readonly string[]): Promise<void> {
  return runMain(
    command.name,
    async () => {
      const parsed = parseCommandLine(command, argv);
      if (!parsed.help) return command.run(parsed);
      console.log(formatHelp(command));
      return EXIT.OK;
    },
    { exitWhenDone: command.exitWhenDone },
  );
}

/**
 * Runs a script's main function: an AppError prints its message (which names the record and field)
 * without a stack trace, a USAGE one as one line and exit code 2, anything else prints in full; the exit
 * code is main's result or 1 on error. `exitWhenDone` ends the process at once, for scripts whose clients
 * may hold sockets open. The promise settles when the exit code is set (tests await it).
 */
export function runMain(name: string, main: () => Promise<number | void>, { exitWhenDone = false } = {}): Promise<void> {
  const finish = (code: number) => {
    process.exitCode = code;
    if (exitWhenDone) process.exit(code);
  };
  return main().then(
    (code) => finish(code ?? EXIT.OK),
    (error: unknown) => {
      if (isAppError(error) && error.code === 'USAGE') {
        console.error(`${name}: ${error.message}; see npm run ${name} -- --help`);
        return finish(EXIT.USAGE);
      }
      if (isAppError(error)) {
        console.error(`${name}: ${error.message}`);
        if (error.issues.length > 0 && !error.message.includes(error.issues[0]!.field)) console.error(formatIssues(error.issues));
      } else {
        console.error(`${name} failed:`, error);
      }
      finish(EXIT.FAILED);
    },
  );
}

/** Signals closer together than this are one keypress delivered twice (see interruptSignals). */
const REPEAT_SIGNAL_MS = 500;

/**
 * Ctrl-C and SIGTERM for long work: the first signal aborts `stop` (start nothing new, finish and save
 * what is in flight), a second press aborts `abortInFlight` too. Each is announced on stderr.
 */
export function interruptSignals(messages: { stop: string; abort: string }): { stop: AbortSignal; abortInFlight: AbortSignal } {
  const stop = new AbortController();
  const abortInFlight = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (name: string) => {
    if (!stop.signal.aborted) {
      firstSignalAt = performance.now();
      process.stderr.write(`\n${name}: ${messages.stop}\n`);
      stop.abort();
      // tsx relays a terminal's Ctrl-C to this process, which got it from the terminal already: one press
      // arrives twice within milliseconds, so only a signal well after the first counts as a second press.
    } else if (!abortInFlight.signal.aborted && performance.now() - firstSignalAt > REPEAT_SIGNAL_MS) {
      process.stderr.write(`\n${name}: ${messages.abort}\n`);
      abortInFlight.abort();
    }
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return { stop: stop.signal, abortInFlight: abortInFlight.signal };
}

const count = (n: number) => n.toLocaleString('en-US');

/** 75 s → "1m15s". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export interface ProgressOptions {
  /** Names the command on each line. */
  label: string;
  total: number;
  /** Show items per second and the time left (off where items take very different times). */
  rate?: boolean;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** One redrawn line (a terminal) or plain lines (a log); by default, whether `stream` is a terminal. */
  tty?: boolean;
  /** Nothing is shown for work done sooner than this: its summary says it all. */
  quietMs?: number;
  /** Milliseconds; tests pass their own. */
  clock?: () => number;
}

export interface Progress {
  /** Call as often as you like; it decides when to write. */
  update(done: number, detail?: string): void;
  /** Ends a terminal's redrawn line when the work stopped short of the total (interrupted, failed). */
  end(): void;
}

/**
 * Progress of long work on stderr. Work done within `quietMs` (a second) shows nothing. After that, on a
 * terminal it redraws one line with a bar at most every 100 ms; otherwise (a log, CI) it writes a line
 * every 5 s or every tenth of the work; and the line for the last item (done = total) is written once.
 */
export function createProgress({ label, total, rate = true, stream = process.stderr, tty = stream.isTTY === true, quietMs = 1_000, clock = () => performance.now() }: ProgressOptions): Progress {
  const started = clock();
  const step = Math.max(1, Math.ceil(total / 10));
  let lastAt = Number.NEGATIVE_INFINITY;
  let lastDone = Number.NEGATIVE_INFINITY;
  let finishedShown = false;
  let lineOpen = false;
  const update = (done: number, detail = '') => {
    const now = clock();
    const finished = done >= total;
    if (now - started < quietMs) return;
    if (finished ? finishedShown : tty ? now - lastAt < 100 : now - lastAt < 5_000 && done - lastDone < step) return;
    lastAt = now;
    lastDone = done;
    finishedShown = finished;
    const perSecond = done / Math.max((now - started) / 1000, 1e-3);
    const parts = [`${count(done)}/${count(total)}${total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : ''}`];
    if (detail) parts.push(detail);
    if (rate && done > 0) parts.push(`${perSecond < 10 ? perSecond.toFixed(1) : count(Math.round(perSecond))}/s`);
    if (rate && done > 0 && !finished) parts.push(`ETA ${formatDuration(((total - done) / perSecond) * 1000)}`);
    const text = parts.join(' · ');
    if (!tty) {
      stream.write(`[${label}] ${text}\n`);
      return;
    }
    const width = 24;
    const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : width;
    stream.write(`\r\x1b[2K${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}${finished ? '\n' : ''}`);
    lineOpen = !finished;
  };
  const end = () => {
    if (lineOpen) stream.write('\n');
    lineOpen = false;
  };
  return { update, end };
}
