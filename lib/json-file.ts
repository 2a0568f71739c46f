import { promises as fs } from 'node:fs';
import { AppError } from './errors';

/**
 * Reading the app's JSON data files (leads, rule sets, enrichments) with errors that say which file,
 * which setting pointed at it, and where in the text the JSON broke.
 */

export interface JsonFileOptions {
  /** What the file is, for messages: "Leads file", "Rule set file". */
  label: string;
  /** The env var or CLI flag that chose the path (e.g. "LEADS_PATH"), named when the file is missing. */
  origin?: string;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** Parses JSON text, turning a syntax error into INVALID_INPUT naming the file and the line and column. */
export function parseJsonText(text: string, path: string, { label }: JsonFileOptions): unknown {
  // Spreadsheet tools on Windows save UTF-8 with a byte-order mark, which JSON.parse rejects.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(reason)?.[1];
    const where = position === undefined ? '' : ` (${lineAndColumn(body, Number(position))})`;
    throw new AppError('INVALID_INPUT', `${label} ${path} is not valid JSON: ${reason}${where}`, {
      safeMessage: `${label} is not valid JSON.`,
      cause: error,
    });
  }
}

function readError(error: unknown, path: string, { label, origin }: JsonFileOptions): AppError {
  const code = (error as NodeJS.ErrnoException).code;
  const setBy = origin ? ` (set by ${origin})` : '';
  const message =
    code === 'ENOENT'
      ? `${label} not found: ${path}${setBy}`
      : `Cannot read ${label.toLowerCase()} ${path}${setBy}: ${error instanceof Error ? error.message : String(error)}`;
  return new AppError('CONFIG_ERROR', message, { safeMessage: `The server is misconfigured: ${label.toLowerCase()} unavailable.`, cause: error });
}

/** Reads and parses a JSON file; a missing or unreadable file is a CONFIG_ERROR naming the path and its origin. */
export async function readJsonFile(path: string, options: JsonFileOptions): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    throw readError(error, path, options);
  }
  return parseJsonText(text, path, options);
}

/** Like `readJsonFile`, but a missing file reads as `undefined` (for files the app creates on first write). */
export async function readOptionalJsonFile(path: string, options: JsonFileOptions): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw readError(error, path, options);
  }
  return parseJsonText(text, path, options);
}
