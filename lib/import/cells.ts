import { DuckDBScalarFunction, VARCHAR, INTEGER } from '@duckdb/node-api';
import { regexes } from 'zod/v4/core';
import { AppError } from '../errors';
import { LEAD_FIELD_TABLE, type LeadFieldType } from '../lead-fields';
import {
  FALSE_WORDS,
  InvalidValueError,
  TRUE_WORDS,
  PLACEHOLDER_WORDS,
  cleanCategory,
  cleanDomain,
  cleanEmail,
  cleanId,
  cleanLongText,
  cleanText,
  columnKey,
  isPlaceholder,
  longTextValue,
  parseBoolean,
  parseCount,
  parseDate,
  parseEmployeeCount,
  parseNumber,
  parseRevenue,
  textValue,
  type DateOrder,
} from './clean';
import { insertRows, literal, type Sql } from './duckdb';
import type { AttributeType, ColumnOptions, MappableField, Mapping } from './mapping';

/**
 * Mapping and cleaning, in SQL over the `src` table (read.ts). clean.ts stays the definition of every
 * rule: each distinct raw value a SQL fast path does not take goes through its JavaScript cleaner once
 * (a DuckDB scalar function over the column's distinct values) and is joined back. The fast paths take
 * the values most cells hold — plain ASCII text with nothing to trim, emails, bare domains and http(s)
 * URLs, whole numbers, ISO dates — and never reject or guess; a property test holds each one to its
 * cleaner (tests/import/cells.test.ts).
 *
 * A cleaner's result is a code: `v` + the value as JSON text, `u` (empty: unknown), `p` (a placeholder:
 * unknown), or `x` + why it is invalid.
 */

export type CleanerKind = 'id' | 'text' | 'category' | 'long' | 'email' | 'domain' | 'count' | 'employees' | 'revenue' | 'number' | 'boolean' | 'date' | 'outcome';

/** How one value of a lead combines across the lead's rows (see dedupe.ts). */
export type MergeRule = 'id' | 'sum' | 'or' | 'earliest' | 'latest' | 'newest';

/** A mapping target bound to the header: the columns that feed it (first with a value wins) and its cleaner. */
export interface Target {
  /** `email`, `attributes.seats`, or `outcome`. */
  key: string;
  /** The lead property it fills: a contract field, an attribute name, or `converted`. */
  prop: string;
  attribute: boolean;
  kind: CleanerKind;
  merge: MergeRule;
  /** One display spelling per file (`category` kind). */
  category: boolean;
  columns: { index: number; name: string }[];
  options: ColumnOptions | null;
}

/** The cleaner of each field type of the lead-field table (lib/lead-fields.ts). */
const CLEANER_OF_TYPE = {
  id: 'id',
  date: 'date',
  text: 'text',
  label: 'category',
  long_text: 'long',
  email: 'email',
  domain: 'domain',
  count: 'count',
  headcount: 'employees',
  money: 'revenue',
  flag: 'boolean',
  outcome: 'outcome',
} as const satisfies Record<LeadFieldType, CleanerKind>;

const fieldKind = (field: MappableField): CleanerKind => CLEANER_OF_TYPE[LEAD_FIELD_TABLE[field].type];

const ATTRIBUTE_KINDS: Record<AttributeType, CleanerKind> = { text: 'category', number: 'number', boolean: 'boolean', date: 'date' };

/** How a lead's rows combine a field (docs/import.md, Duplicates). */
function fieldMerge(field: MappableField): MergeRule {
  const { type } = LEAD_FIELD_TABLE[field];
  if (type === 'id') return 'id';
  if (type === 'count') return 'sum';
  if (type === 'flag') return 'or';
  if (field === 'created_at') return 'earliest';
  if (field === 'last_activity_at') return 'latest';
  return 'newest';
}

export interface Binding {
  /** Mapped fields and attributes found in the file, in mapping order, then the outcome if mapped. */
  targets: Target[];
  /** Mapped targets none of whose columns is in the file, e.g. `industry ("Industry")`. */
  missingColumns: string[];
  ignoredColumns: string[];
  /** Whether the mapping's outcome column is in the file. */
  outcomeFound: boolean;
}

/** Binds the mapping to the header (names compared case- and whitespace-insensitively). */
export function bindMapping(mapping: Mapping, header: readonly string[]): Binding {
  const positions = new Map<string, number>();
  header.forEach((name, index) => {
    const key = columnKey(name);
    if (!positions.has(key)) positions.set(key, index);
  });
  const used = new Set<number>();
  const missingColumns: string[] = [];
  const targets: Target[] = [];
  const bind = (key: string, prop: string, names: string[], kind: CleanerKind, attribute: boolean, merge: MergeRule): boolean => {
    const columns = names.flatMap((name) => {
      const index = positions.get(columnKey(name));
      return index === undefined ? [] : [{ index, name: header[index]!.trim() }];
    });
    if (columns.length === 0) {
      missingColumns.push(`${key} (${names.map((c) => `"${c}"`).join(' / ')})`);
      return false;
    }
    columns.forEach((c) => used.add(c.index));
    targets.push({ key, prop, attribute, kind, merge, category: kind === 'category', columns, options: mapping.options[key] ?? null });
    return true;
  };
  for (const [field, names] of Object.entries(mapping.fields) as [MappableField, string[]][]) bind(field, field, names, fieldKind(field), false, fieldMerge(field));
  for (const [name, attribute] of Object.entries(mapping.attributes)) {
    bind(`attributes.${name}`, name, attribute.column, ATTRIBUTE_KINDS[attribute.type], true, attribute.type === 'boolean' ? 'or' : 'newest');
  }
  if (targets.length === 0) {
    throw new AppError(
      'INVALID_INPUT',
      `None of the columns the mapping "${mapping.name}" names is in this file. The file's columns are: ${header.map((h) => `"${h}"`).join(', ')}`,
    );
  }
  const outcomeFound = mapping.outcome ? bind('outcome', 'converted', [mapping.outcome.column], 'outcome', false, 'or') : false;
  const ignoredColumns = header.filter((name, index) => !used.has(index) && name.trim() !== '').map((name) => name.trim());
  return { targets, missingColumns, ignoredColumns, outcomeFound };
}

type Cleaner = (raw: string) => string | number | boolean | undefined;

function outcomeCleaner(outcome: NonNullable<Mapping['outcome']>): Cleaner {
  if (!outcome.positive) return parseBoolean;
  const positive = new Set(outcome.positive.map(columnKey));
  const negative = outcome.negative && new Set(outcome.negative.map(columnKey));
  const listed = [...outcome.positive, ...(outcome.negative ?? [])].map((v) => `"${v}"`).join(', ');
  return (raw) => {
    if (isPlaceholder(raw)) return undefined;
    const value = columnKey(raw);
    if (positive.has(value)) return true;
    if (!negative || negative.has(value)) return false;
    throw new InvalidValueError(`"${raw.trim()}" is not one of the outcome values the mapping lists (${listed})`);
  };
}

function cleanerOf(kind: CleanerKind, mapping: Mapping): Cleaner {
  const order: DateOrder = mapping.dateFormat;
  switch (kind) {
    case 'id':
      return cleanId;
    case 'text':
      return cleanText;
    case 'category':
      return cleanCategory;
    case 'long':
      return cleanLongText;
    case 'email':
      return cleanEmail;
    case 'domain':
      return cleanDomain;
    case 'count':
      return parseCount;
    case 'employees':
      return parseEmployeeCount;
    case 'revenue':
      return parseRevenue;
    case 'number':
      return parseNumber;
    case 'boolean':
      return parseBoolean;
    case 'date':
      return (raw) => parseDate(raw, order);
    case 'outcome':
      return outcomeCleaner(mapping.outcome!);
  }
}

const TEXT_KINDS = new Set<CleanerKind>(['id', 'text', 'category', 'long']);

/** The cell code (see this module's comment) of one raw cell for a target: its cleaner, after its column options. */
export function cellCodeOf(target: Target, mapping: Mapping): (raw: string) => string {
  const clean = cleanerOf(target.kind, mapping);
  const options = target.options;
  return (raw) => {
    let text = raw;
    if (options) {
      const key = columnKey(raw);
      if (Object.hasOwn(options.recode, key)) text = options.recode[key]!;
      if (options.placeholders.includes(columnKey(text))) return 'p';
    }
    if (text.trim() === '') return 'u';
    try {
      if (options && !options.builtInPlaceholders && isPlaceholder(text)) {
        // Placeholders are values in this column: text keeps them; other types cannot read them.
        if (target.kind === 'long') return `v${JSON.stringify(longTextValue(text))}`;
        if (TEXT_KINDS.has(target.kind)) return `v${JSON.stringify(textValue(text))}`;
        return `x"${text.trim()}" is not a ${target.kind === 'boolean' ? 'yes/no value' : target.kind === 'date' ? 'date' : target.kind === 'email' ? 'email address' : target.kind === 'domain' ? 'domain' : 'number'} (placeholders are values in this column, as the mapping says)`;
      }
      const value = clean(text);
      return value === undefined ? 'p' : `v${JSON.stringify(value)}`;
    } catch (error) {
      if (error instanceof InvalidValueError) return `x${error.reason}`;
      throw error;
    }
  };
}

// SQL fast paths: per kind, a test on the raw value (`@X@`) and its lead member (`"key":value`, the key
// being `@K@`) when the test passes. They take the values most cells hold and whose cleaning SQL does
// exactly: plain ASCII (no control character, `"` or `\`), spaces trimmed and collapsed, a case fold,
// a host from a URL, thousands separators, ISO dates. `@ODD@` says the row's line may hold bytes outside
// printable ASCII (source.ts): only then is each cell checked for them.
const PLAIN = String.raw`(NOT @ODD@ OR NOT regexp_matches(@X@, '[\x00-\x1F\x7F-\x{10FFFF}]')) AND NOT contains(@X@, chr(9)) AND NOT contains(@X@, chr(13)) AND NOT contains(@X@, '"') AND NOT contains(@X@, '\')`;
/** `textValue` of a PLAIN value: trimmed, runs of spaces made one (`@T@` in the paths, computed once per cell). */
export const TEXT = `CASE WHEN starts_with(@X@, ' ') OR ends_with(@X@, ' ') OR contains(@X@, '  ') THEN regexp_replace(trim(@X@), ' {2,}', ' ', 'g') ELSE @X@ END`;
const PLACEHOLDER_LIST = PLACEHOLDER_WORDS.map(literal).join(', ');
const codes = (chars: string) => [...chars].map((c) => c.charCodeAt(0)).join(', ');
/**
 * `t` (a trimmed PLAIN text) is not a placeholder (`isPlaceholder`): longer than any, or starting with a
 * character none starts with, or its lowercase form is not one of the words, nor one with dashes or
 * brackets around it. Plain string functions rather than patterns: this runs for most text cells.
 */
const notPlaceholder = (t: string) =>
  `${t} <> '' AND (strlen(${t}) > 20 OR ascii(${t}) NOT IN (${codes('-[(<])>#?sSnNuUbB')})
    OR ((strlen(${t}) > 13 OR lower(${t}) NOT IN (${PLACEHOLDER_LIST}))
      AND (NOT (ascii(${t}) IN (${codes('-[(<')}) OR ends_with(${t}, '-') OR ends_with(${t}, ']') OR ends_with(${t}, ')') OR ends_with(${t}, '>'))
        OR ${String.raw`regexp_replace(lower(${t}), '^[ \-\[(<]+|[ \-\])>]+$', '', 'g')`} NOT IN (${PLACEHOLDER_LIST}))))`;
const EMAIL = regexes.email.source.replace(/^\^|\$$/g, '');
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
/** A bare domain or a plain http(s) URL of one: the host is group 1 (`www.` and the path dropped, as cleanDomain does). */
const WEBSITE = String.raw`(?:[Hh][Tt][Tt][Pp][Ss]?://)?(?:[Ww][Ww][Ww][0-9]?\.)?((?:${LABEL}\.)+${LABEL})(?:[/?#][\x21-\x7E]*)?`;
const ISO_DAY = '[0-9]{4}-[0-9]{2}-[0-9]{2}';
/** A whole number as `parseNumber` reads it without a doubt: digits, or thousands groups of three. */
const WHOLE = '[0-9]{1,15}|[0-9]{1,3}(?:,[0-9]{3}){1,4}';
/** Such a number's value, as text (or as `type`). */
const whole = (x: string, type: 'VARCHAR' | 'BIGINT' = 'VARCHAR') => (type === 'BIGINT' ? `TRY_CAST(replace(${x}, ',', '') AS BIGINT)` : `CAST(CAST(replace(${x}, ',', '') AS BIGINT) AS VARCHAR)`);
const CLOCK = '(?:[01][0-9]|2[0-3]):[0-5][0-9]';

function fastPath(kind: CleanerKind, outcome: Mapping['outcome'], dateOrder: DateOrder): [test: string, member: string] | null {
  const text = (maxLength: number): [string, string] => [`${PLAIN} AND strlen(@X@) <= ${maxLength} AND ${notPlaceholder('@T@')}`, `'@K@"' || @T@ || '"'`];
  switch (kind) {
    case 'id':
      return text(200);
    case 'text':
    case 'category':
    case 'long':
      return text(10_000);
    case 'email':
      // The pattern takes either case, and a value matches it exactly when its lowercase form does.
      return [`regexp_full_match(@X@, ${literal(EMAIL)})`, `'@K@"' || lower(@X@) || '"'`];
    case 'domain': {
      // A bare domain (the usual cell) takes one match; a URL takes the pattern with its host as group 1.
      const host = `CASE WHEN contains(@X@, '/') OR contains(@X@, '?') OR contains(@X@, '#') THEN regexp_extract(@X@, ${literal(WEBSITE)}, 1) ELSE @X@ END`;
      return [
        `strlen(@X@) <= 1000 AND regexp_full_match(@X@, ${literal(WEBSITE)}) AND NOT regexp_matches(${host}, '^[Ww][Ww][Ww][0-9]?\\.')`,
        `'@K@"' || lower(${host}) || '"'`,
      ];
    }
    case 'count':
    case 'number':
      return [`regexp_full_match(@X@, '${WHOLE}')`, `'@K@' || ${whole('@X@')}`];
    case 'employees':
    case 'revenue': {
      // A whole number, an open band ("1,000+") or a band ("51-200"): its lower bound, the upper one not below it.
      const lower = `split_part(rtrim(@X@, '+'), '-', 1)`;
      const upper = `split_part(@X@, '-', 2)`;
      return [
        `regexp_full_match(@X@, '(${WHOLE})(\\+|-(${WHOLE}))?') AND (NOT contains(@X@, '-') OR ${whole(lower, 'BIGINT')} <= ${whole(upper, 'BIGINT')})`,
        `'@K@' || ${whole(lower)}`,
      ];
    }
    case 'boolean':
      return [
        `lower(@X@) IN (${[...TRUE_WORDS, ...FALSE_WORDS].map(literal).join(', ')})`,
        `CASE WHEN lower(@X@) IN (${TRUE_WORDS.map(literal).join(', ')}) THEN '@K@true' ELSE '@K@false' END`,
      ];
    case 'outcome': {
      if (!outcome?.positive) return fastPath('boolean', outcome, dateOrder);
      const listed = (values: string[]) => `lower(@X@) IN (${values.map((value) => literal(columnKey(value))).join(', ')})`;
      const readable = outcome.negative ? `(${listed(outcome.positive)} OR ${listed(outcome.negative)})` : 'true';
      return [
        `${PLAIN} AND @X@ = @T@ AND ${notPlaceholder('@X@')} AND ${readable}`,
        `CASE WHEN ${listed(outcome.positive)} THEN '@K@true' ELSE '@K@false' END`,
      ];
    }
    case 'date': {
      // 2024-03-05, 2024-03-05 14:22 and the canonical 2024-03-05T14:22:07.123Z; TRY_CAST checks the day exists.
      const iso = `regexp_full_match(@X@, '${ISO_DAY}(?: ${CLOCK}|T${CLOCK}:[0-5][0-9]\\.[0-9]{3}Z)?') AND TRY_CAST(left(@X@, 10) AS DATE) IS NOT NULL AND left(@X@, 4) BETWEEN '1900' AND '2100'`;
      // 3/5/2024 and 03/05/2024: month first or day first as the mapping says (dateFormat).
      const [m, d] = dateOrder === 'DMY' ? [2, 1] : [1, 2];
      const numeric = `split_part(@X@, '/', 3) || '-' || lpad(split_part(@X@, '/', ${m}), 2, '0') || '-' || lpad(split_part(@X@, '/', ${d}), 2, '0')`;
      return [
        `(${iso}) OR (regexp_full_match(@X@, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}') AND TRY_CAST(${numeric} AS DATE) IS NOT NULL AND split_part(@X@, '/', 3) BETWEEN '1900' AND '2100')`,
        `'@K@"' || CASE WHEN contains(@X@, '/') THEN ${numeric} || 'T00:00:00.000Z' WHEN strlen(@X@) = 10 THEN @X@ || 'T00:00:00.000Z' WHEN strlen(@X@) = 16 THEN left(@X@, 10) || 'T' || right(@X@, 5) || ':00.000Z' ELSE @X@ END || '"'`,
      ];
    }
    default:
      return null;
  }
}

/** A target's member key as JSON text with its colon: `"email":`. */
export const memberKey = (target: Pick<Target, 'prop'>) => `${JSON.stringify(target.prop)}:`;

/** Kinds whose fast path reads the cell's trimmed text (`@T@`). */
const READS_TEXT = new Set<CleanerKind>(['id', 'text', 'category', 'long', 'outcome']);

/**
 * The SQL fast path of a target over the column `x` (none for targets with column options). `odd` says
 * whether the row may hold bytes outside printable ASCII (by default: assume so); `text` is the cell's
 * `TEXT` (by default computed in place).
 */
export function fastSql(
  target: Pick<Target, 'kind' | 'options' | 'prop'>,
  x: string,
  { outcome, dateOrder = 'MDY', odd = 'true', text }: { outcome?: Mapping['outcome']; dateOrder?: DateOrder; odd?: string; text?: string } = {},
): { test: string; member: string } | null {
  const path = target.options ? null : fastPath(target.kind, outcome, dateOrder);
  const fill = (sql: string) =>
    sql
      .replaceAll('@T@', text ?? `(${TEXT})`)
      .replaceAll('@X@', x)
      .replaceAll('@ODD@', odd)
      .replaceAll('@K@', memberKey(target));
  return path && { test: fill(path[0]), member: fill(path[1]) };
}

/**
 * The cleaning of one import: SQL for each cell's lead member (`"key":value`), the fast path inline and
 * the JavaScript cleaner behind it as a DuckDB function (`ls_value`), which cleans each distinct raw value
 * once (memo).
 */
export class Cleaning {
  private readonly memo: Map<string, string>[];

  constructor(
    private readonly sql: Sql,
    readonly targets: readonly Target[],
    private readonly mapping: Mapping,
  ) {
    const codes = targets.map((target) => cellCodeOf(target, mapping));
    const keys = targets.map(memberKey);
    this.memo = targets.map(() => new Map());
    const code = (t: number, raw: string): string => {
      const memo = this.memo[t]!;
      let result = memo.get(raw);
      if (result === undefined) memo.set(raw, (result = codes[t]!(raw)));
      return result;
    };
    sql.connection.registerScalarFunction(
      DuckDBScalarFunction.create({
        name: 'ls_value',
        returnType: VARCHAR,
        parameterTypes: [INTEGER, VARCHAR],
        mainFunction: (_info, input, output) => {
          const ts = input.getColumnVector(0);
          const raws = input.getColumnVector(1);
          for (let i = 0; i < input.rowCount; i++) {
            const t = ts.getItem(i) as number;
            const raw = raws.getItem(i) as string | null;
            if (raw === null) {
              output.setItem(i, null);
              continue;
            }
            const result = code(t, raw);
            output.setItem(i, result.startsWith('v') ? keys[t] + result.slice(1) : null);
          }
          output.flush();
        },
      }),
    );
  }

  /**
   * Writes the `codes` table (t, raw, r): every raw value the cleaners saw that is not a plain value (empty,
   * placeholder, invalid), and the values they cut to length. Run after the cells were read (`value`).
   */
  async writeCodes(): Promise<void> {
    await this.sql.run('CREATE TABLE codes (t INTEGER, raw VARCHAR, r VARCHAR)');
    const rows: [number, string, string][] = [];
    this.memo.forEach((memo, t) => {
      for (const [raw, code] of memo) if (!code.startsWith('v') || code.endsWith('…"')) rows.push([t, raw, code]);
    });
    await insertRows(this.sql, 'codes', rows);
  }

  /**
   * The columns `cellValue` reads besides `src`'s, to compute over `src` (alias `s`) in an inner query:
   * whether the row may hold bytes outside printable ASCII, and each text cell's `TEXT`, once.
   */
  innerColumns(s = 's'): string[] {
    return [
      `(${s}.odd OR ${s}.breaks > 0) AS maybe_odd`,
      ...this.targets.flatMap((target, t) =>
        READS_TEXT.has(target.kind) && !target.options ? target.columns.map((column, j) => `${TEXT.replaceAll('@X@', `${s}.c${column.index + 1}`)} AS text${t}_${j}`) : [],
      ),
    ];
  }

  /** The member (`"key":value`, null: no value) of column `j` of target `t`, over the inner query's columns (alias `s`). */
  cellValue(t: number, j: number, s = 's'): string {
    const target = this.targets[t]!;
    const c = `${s}.c${target.columns[j]!.index + 1}`;
    const fast = fastSql(target, c, { outcome: this.mapping.outcome, dateOrder: this.mapping.dateFormat, odd: `${s}.maybe_odd`, text: `${s}.text${t}_${j}` });
    return fast ? `CASE WHEN ${c} IS NULL THEN NULL WHEN ${fast.test} THEN ${fast.member} ELSE ls_value(${t}, ${c}) END` : `ls_value(${t}, ${c})`;
  }

  /** The member of target `t`: from its first column with a value. */
  value(t: number, s = 's'): string {
    const columns = this.targets[t]!.columns.map((_, j) => this.cellValue(t, j, s));
    return columns.length === 1 ? columns[0]! : `coalesce(${columns.join(', ')})`;
  }

  /** `src` (its data rows) with the inner columns, for `cellValue` and `value` (alias `s`). */
  source(): string {
    return `(SELECT s.*, ${this.innerColumns().join(', ')} FROM src s WHERE NOT s.blank) AS s`;
  }
}
