import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * An embedded DuckDB (`@duckdb/node-api`, prebuilt binaries) for one import: in memory, spilling to the
 * import's temp directory past `MEMORY_LIMIT`, on one thread. Closed, with its spill files, when the
 * import ends.
 *
 * One thread, because building the wide `vals` table needs working memory per thread that DuckDB cannot
 * spill: each thread fills a 122,880-row group of its text in memory (measured: with 2 threads the
 * bench's 200,000-row export runs out of 400 MB, also with preserve_insertion_order off and with the
 * database in a file; a 200 MB export with 4 threads ran out of 640 MB; with 1 thread 250 MB is too
 * little). The process's RSS runs about 450-600 MB above DuckDB's limit (Node, the JS heap, the CSV
 * reader's buffers). On the 2-core bench machine 2 threads for the other statements cost more CPU and
 * memory and were no faster. 1 thread and 400 MB keep a 200 MB export at 0.85-1.0 GB of RSS.
 */
const MEMORY_LIMIT = '400MB';
const THREADS = '1';

export interface Sql {
  readonly connection: DuckDBConnection;
  run(sql: string): Promise<void>;
  /** The rows of a query, as plain JS values (BIGINT as bigint, VARCHAR as string, NULL as null). */
  rows<T extends Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): void;
}

export async function openSql(tempDir: string): Promise<Sql> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: THREADS,
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
