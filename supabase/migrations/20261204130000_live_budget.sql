-- LeadSignal: the live re-enrich route's global daily budget, shared by every app instance and every user.
-- One row per UTC day: calls admitted, and USD spent or still reserved. A call reserves its worst-case cost
-- before it starts (live_budget_reserve) and settles to its real cost after (live_budget_settle); a process
-- that dies in between leaves its worst case counted, so a crash can only make the budget stricter.

CREATE TABLE public.live_budget (
  day date PRIMARY KEY,
  calls integer NOT NULL DEFAULT 0 CHECK (calls >= 0),
  -- Spent plus reserved, in USD.
  usd numeric(14, 8) NOT NULL DEFAULT 0 CHECK (usd >= 0)
);

COMMENT ON TABLE public.live_budget IS
  'Live re-enrich budget per UTC day across all users: calls admitted and USD spent or reserved. Server only: no anon or authenticated access at all.';

-- Admits one call costing at most p_worst_usd if the day's calls and spend stay within the limits, in one
-- atomic step: concurrent callers serialise on the day's row, and the UPDATE re-checks its condition on the
-- row as the previous caller left it, so the limits are never exceeded. p_now defaults to the database clock.
CREATE FUNCTION public.live_budget_reserve(p_worst_usd numeric, p_max_calls integer, p_max_usd numeric, p_now timestamptz DEFAULT NULL)
RETURNS TABLE (allowed boolean, day date, calls integer, usd numeric)
LANGUAGE plpgsql
VOLATILE
SECURITY INVOKER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_day date := (coalesce(p_now, clock_timestamp()) AT TIME ZONE 'UTC')::date;
BEGIN
  IF p_worst_usd < 0 OR p_max_calls < 1 OR p_max_usd <= 0 THEN
    RAISE EXCEPTION 'live_budget_reserve: bad arguments (% USD, % calls, % USD)', p_worst_usd, p_max_calls, p_max_usd USING ERRCODE = '22023';
  END IF;
  INSERT INTO public.live_budget AS b (day) VALUES (v_day) ON CONFLICT ON CONSTRAINT live_budget_pkey DO NOTHING;
  RETURN QUERY
    UPDATE public.live_budget AS b SET calls = b.calls + 1, usd = b.usd + p_worst_usd
    WHERE b.day = v_day AND b.calls + 1 <= p_max_calls AND b.usd + p_worst_usd <= p_max_usd
    RETURNING true, b.day, b.calls, b.usd;
  IF NOT FOUND THEN
    RETURN QUERY SELECT false, b.day, b.calls, b.usd FROM public.live_budget AS b WHERE b.day = v_day;
  END IF;
END;
$$;

COMMENT ON FUNCTION public.live_budget_reserve(numeric, integer, numeric, timestamptz) IS
  'Atomically admits one live call of at most p_worst_usd within the day''s call and USD limits, reserving its worst case. Server only.';

-- Replaces a call's reserved worst case with what it really cost (p_actual_usd; NULL keeps the worst case,
-- for a model without a price). A reservation from an earlier day is left alone: that day is over.
CREATE FUNCTION public.live_budget_settle(p_day date, p_worst_usd numeric, p_actual_usd numeric)
RETURNS TABLE (day date, calls integer, usd numeric)
LANGUAGE sql
VOLATILE
SECURITY INVOKER
SET search_path = pg_catalog, public
AS $$
  UPDATE public.live_budget AS b SET usd = greatest(0, b.usd - p_worst_usd + coalesce(p_actual_usd, p_worst_usd))
  WHERE b.day = p_day
  RETURNING b.day, b.calls, b.usd;
$$;

COMMENT ON FUNCTION public.live_budget_settle(date, numeric, numeric) IS
  'Settles a live call''s reservation to its real cost. Server only.';

REVOKE ALL ON public.live_budget FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.live_budget TO service_role;
REVOKE ALL ON FUNCTION public.live_budget_reserve(numeric, integer, numeric, timestamptz) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.live_budget_settle(date, numeric, numeric) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.live_budget_reserve(numeric, integer, numeric, timestamptz) TO service_role;
GRANT EXECUTE ON FUNCTION public.live_budget_settle(date, numeric, numeric) TO service_role;

ALTER TABLE public.live_budget ENABLE ROW LEVEL SECURITY;

CREATE POLICY live_budget_server_only ON public.live_budget FOR ALL TO service_role USING (true) WITH CHECK (true);
COMMENT ON POLICY live_budget_server_only ON public.live_budget IS
  'Only the server (service role, or the table owner over DATABASE_URL) spends the budget; anon and authenticated have no policy and no grant, so they see nothing.';
