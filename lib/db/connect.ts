import 'server-only';
import postgres from 'postgres';

/**
 * One way to open a PostgreSQL connection pool (store, rate limiter, scripts, tests).
 *
 * Transaction poolers (Supabase's on port 6543, PgBouncer in transaction mode) cannot keep prepared
 * statements: add `?prepare=false` to DATABASE_URL, which postgres.js reads as its `prepare` option.
 */
export type Sql = postgres.Sql;

export interface ConnectOptions {
  /** Pool size. */
  max?: number;
  /** Overrides the URL's `prepare` setting. */
  prepare?: boolean;
}

export function connectPostgres(url: string, { max = 10, prepare }: ConnectOptions = {}): Sql {
  const prepared = prepare ?? new URL(url).searchParams.get('prepare') !== 'false';
  return postgres(url, {
    max,
    ...(prepare === undefined ? {} : { prepare }),
    // NOTICEs (e.g. "relation already exists, skipping") are expected noise, not news.
    onnotice: () => {},
    connection: {
      application_name: 'leadsignal',
      // A prepared statement is planned once for all values after five runs, but dashboard queries
      // differ wildly by their values (a 3-letter search matches a third of the table, a name a
      // handful): plan each run for its values. Unprepared statements are planned per run anyway, and
      // poolers that need `prepare=false` may reject this startup parameter, so it is only sent here.
      ...(prepared ? { plan_cache_mode: 'force_custom_plan' } : {}),
    },
  });
}
