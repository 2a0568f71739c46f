import { promises as fs } from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { AppError } from './errors';

/**
 * Reads a JSON array file element by element, for files too big to read whole: a JS string cannot hold
 * much more than 512 MiB (V8's limit), and the text beside its parse would double the memory anyway.
 * DuckDB's JSON reader (already the import's engine) finds the elements; each is parsed on its own, so
 * only the caller's results stay in memory. Returns how many elements there were.
 */
export async function forEachJsonArrayElement(path: string, label: string, onElement: (value: unknown, index: number) => void): Promise<number> {
  // DuckDB reads a path as a glob pattern ("leads [2026].json" would match nothing, or another file), and
  // its escaping is unreliable: it reads the file through a link with a plain name.
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'leadsignal-json-'));
  const link = nodePath.join(dir, 'file.json');
  await fs.symlink(nodePath.resolve(path), link);
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', autoinstall_known_extensions: 'false' });
  const connection = await instance.connect();
  let index = 0;
  try {
    // One thread keeps the elements in file order, so an index names the record a user can find.
    const result = await connection.stream(`SELECT json FROM read_json_objects($link, format = 'array')`, { link });
    for await (const rows of result.yieldRows()) {
      for (const [json] of rows) onElement(parseElement(String(json), index, path, label), index++);
    }
    return index;
  } catch (error) {
    if (error instanceof AppError) throw error;
    const reason = (error instanceof Error ? error.message.split('\n')[0]!.replace(/^[A-Za-z ]+ Error: /, '') : String(error)).replaceAll(link, path);
    if (/Expected top-level JSON array/.test(reason)) {
      throw new AppError('INVALID_INPUT', `${label} ${path} must hold a JSON array, found something else: ${reason}`, { safeMessage: `${label} must hold a JSON array.`, cause: error });
    }
    throw new AppError('INVALID_INPUT', `${label} ${path} is not valid JSON: ${reason}`, { safeMessage: `${label} is not valid JSON.`, cause: error });
  } finally {
    connection.closeSync();
    instance.closeSync();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** DuckDB finds an element's bounds but lets some mistakes inside one through; JSON.parse names them. */
function parseElement(json: string, index: number, path: string, label: string): unknown {
  try {
    return JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('INVALID_INPUT', `${label} ${path} is not valid JSON at element #${index}: ${reason}`, { safeMessage: `${label} is not valid JSON.`, cause: error });
  }
}
