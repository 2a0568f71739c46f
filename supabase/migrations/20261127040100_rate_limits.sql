-- LeadSignal: counters for the live re-enrich route's rate limit, shared by every app instance.
-- Fixed window per key: the first request of a key opens a window of `window_seconds`; requests in it
-- are counted; the first request after it ends opens a new one.

CREATE TABLE public.rate_limits (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  window_seconds integer NOT NULL CHECK (window_seconds > 0),
  -- Requests seen in the window, stopped at limit + 1: denied requests use nothing up.
  hits integer NOT NULL CHECK (hits >= 1)
);

COMMENT ON TABLE public.rate_limits IS
  'Live re-enrich rate-limit counters (fixed window per key, usually a client IP). Server only: no anon or authenticated access at all.';

-- Counts one request for p_key in one atomic statement: concurrent calls from any number of app
-- instances serialise on the row, so exactly p_limit of them are admitted per window.
-- p_now defaults to the database clock, one clock for every instance.
CREATE FUNCTION public.rate_limit_hit(p_key text, p_limit integer, p_window_seconds integer, p_now timestamptz DEFAULT NULL)
RETURNS TABLE (allowed boolean, hits integer, window_start timestamptz, window_end timestamptz)
LANGUAGE sql
VOLATILE
SECURITY INVOKER
SET search_path = pg_catalog, public
AS $$
  INSERT INTO public.rate_limits AS r (key, window_start, window_seconds, hits)
  VALUES (p_key, coalesce(p_now, clock_timestamp()), p_window_seconds, 1)
  ON CONFLICT (key) DO UPDATE SET
    window_start = CASE
      WHEN excluded.window_start >= r.window_start + make_interval(secs => r.window_seconds) THEN excluded.window_start
      ELSE r.window_start END,
    window_seconds = CASE
      WHEN excluded.window_start >= r.window_start + make_interval(secs => r.window_seconds) THEN excluded.window_seconds
      ELSE r.window_seconds END,
    hits = CASE
      WHEN excluded.window_start >= r.window_start + make_interval(secs => r.window_seconds) THEN 1
      ELSE least(r.hits + 1, p_limit + 1) END
  RETURNING
    r.hits <= p_limit,
    r.hits,
    r.window_start,
    r.window_start + make_interval(secs => r.window_seconds);
$$;

COMMENT ON FUNCTION public.rate_limit_hit(text, integer, integer, timestamptz) IS
  'Atomically counts one request for a key and says whether it is within p_limit per p_window_seconds. Server only.';

-- Removes windows that ended before p_before; returns how many. Keeps the table one row per active key.
CREATE FUNCTION public.rate_limit_prune(p_before timestamptz DEFAULT NULL)
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY INVOKER
SET search_path = pg_catalog, public
AS $$
  WITH gone AS (
    DELETE FROM public.rate_limits
    WHERE window_start + make_interval(secs => window_seconds) < coalesce(p_before, clock_timestamp())
    RETURNING 1)
  SELECT count(*)::integer FROM gone;
$$;

COMMENT ON FUNCTION public.rate_limit_prune(timestamptz) IS 'Deletes rate-limit windows that have ended. Server only.';

REVOKE ALL ON public.rate_limits FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.rate_limits TO service_role;
-- Functions are executable by PUBLIC by default (and Supabase exposes them as RPC): server only.
REVOKE ALL ON FUNCTION public.rate_limit_hit(text, integer, integer, timestamptz) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.rate_limit_prune(timestamptz) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.rate_limit_hit(text, integer, integer, timestamptz) TO service_role;
GRANT EXECUTE ON FUNCTION public.rate_limit_prune(timestamptz) TO service_role;

ALTER TABLE public.rate_limits ENABLE ROW LEVEL SECURITY;

CREATE POLICY rate_limits_server_only ON public.rate_limits FOR ALL TO service_role USING (true) WITH CHECK (true);
COMMENT ON POLICY rate_limits_server_only ON public.rate_limits IS
  'Only the server (service role, or the table owner over DATABASE_URL) counts requests; anon and authenticated have no policy and no grant, so they see nothing.';
