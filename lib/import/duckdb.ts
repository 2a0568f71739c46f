import os from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * An embedded DuckDB (`@duckdb/node-api`, prebuilt binaries) for one import: in memory, spilling to the
 * import's temp directory past `MEMORY_LIMIT` (so a large export stays within about 1 GB of RSS), one
 * thread per core. Closed, with its spill files, when the import ends.
 */

/** DuckDB's own memory limit; the process needs about 150 MB more (Node, the JS heap, DuckDB's caches). */
const MEMORY_LIMIT = '640MB';

export interface Sql {
  readonly connection: DuckDBConnection;
  run(sql: string): Promise<void>;
  /** The rows of a query, as plain JS values (BIGINT as bigint, VARCHAR as string, NULL as null). */
  rows<T extends Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): void;
}

export async function openSql(tempDir: string): Promise<Sql> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(Math.max(1, os.availableParallelism())),
    memory_limit: MEMORY_LIMIT,
    temp_directory: tempDir,
    // Nothing an import runs needs the network; extensions are not fetched behind the user's back.
    autoinstall_known_extensions: 'false',
  });
  const connection = await instance.connect();
  return {
    connection,
    async run(sql) {
      await connection.run(sql);
    },
    async rows<T extends Record<string, unknown>>(sql: string) {
      return (await connection.runAndReadAll(sql)).getRowObjectsJS() as T[];
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** A SQL string literal. */
export const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** Appends rows of integers and strings (null: NULL) to a table, with DuckDB's appender. */
export async function insertRows(sql: Sql, table: string, rows: readonly (readonly (number | string | null)[])[]): Promise<void> {
  const appender = await sql.connection.createAppender(table);
  try {
    for (const row of rows) {
      for (const value of row) {
        if (value === null) appender.appendNull();
        else if (typeof value === 'number') appender.appendInteger(value);
        else appender.appendVarchar(value);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
