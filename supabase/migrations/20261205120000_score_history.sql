-- Score history (issue 22): when a rules change changes a lead's score or tier, `npm run rescore` keeps its
-- previous score, tier, rules version and breakdown here, with the time the new rules took effect, so the
-- lead page can say what the lead scored before and which rule lines changed. Written only by
-- public.rescore_leads, in the same transaction as the new score; anon and authenticated read nothing.

CREATE TABLE public.score_history (
  lead_id text COLLATE "C" NOT NULL REFERENCES public.leads (id) ON DELETE CASCADE,
  -- When these rules stopped applying to the lead: the rescore that replaced them.
  until timestamptz NOT NULL,
  rules_version text NOT NULL,
  score smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
  tier text NOT NULL CHECK (tier IN ('HOT', 'WARM', 'COLD')),
  breakdown jsonb NOT NULL CHECK (jsonb_typeof(breakdown) = 'array'),
  PRIMARY KEY (lead_id, until, rules_version)
);
COMMENT ON TABLE public.score_history IS
  'A lead''s earlier scores under rules it is no longer scored with (score, tier, rules version, breakdown) and until when. Written only by rescore_leads; read by the server.';

DO $$
BEGIN
  ALTER TABLE public.score_history ALTER COLUMN breakdown SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END
$$;

-- The rescore's batches (rules_version <> the configured one, in id order) and the dashboard's count of them.
CREATE INDEX leads_rules_version_idx ON public.leads (rules_version, id);

-- Writes new scores of leads and, where the score or tier changed, their previous ones as history rows, in
-- one call (one transaction, also over PostgREST). Each row of p_rows: id, the rules_version and input_hash
-- the caller read (a lead changed since by another writer is left alone: so two runs never rescore a lead
-- twice nor write its history twice), and the new score columns. Returns {"rescored": n, "history": n}.
CREATE FUNCTION public.rescore_leads(p_rows jsonb, p_until timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY INVOKER
SET search_path = pg_catalog, public
AS $$
DECLARE
  rescored integer;
  kept integer;
BEGIN
  -- Lock the leads still as read; a concurrent run's committed rescore no longer matches and drops out.
  PERFORM 1 FROM public.leads l
    JOIN jsonb_to_recordset(p_rows) AS i(id text, read_rules_version text, read_input_hash text)
      ON i.id = l.id AND l.rules_version = i.read_rules_version AND l.input_hash = i.read_input_hash
  FOR UPDATE OF l;

  INSERT INTO public.score_history (lead_id, until, rules_version, score, tier, breakdown)
  SELECT l.id, p_until, l.rules_version, l.score, l.tier, l.breakdown
  FROM public.leads l
    JOIN jsonb_to_recordset(p_rows) AS i(id text, read_rules_version text, read_input_hash text, score smallint, tier text, rules_version text)
      ON i.id = l.id AND l.rules_version = i.read_rules_version AND l.input_hash = i.read_input_hash
  WHERE l.rules_version <> i.rules_version AND (l.score <> i.score OR l.tier <> i.tier)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS kept = ROW_COUNT;

  UPDATE public.leads l SET
    score = i.score,
    tier = i.tier,
    breakdown = i.breakdown,
    top_reason_label = i.top_reason_label,
    top_reason_points = i.top_reason_points,
    rules_version = i.rules_version
  FROM jsonb_to_recordset(p_rows) AS i(id text, read_rules_version text, read_input_hash text, score smallint, tier text,
    breakdown jsonb, top_reason_label text, top_reason_points smallint, rules_version text)
  WHERE i.id = l.id AND l.rules_version = i.read_rules_version AND l.input_hash = i.read_input_hash;
  GET DIAGNOSTICS rescored = ROW_COUNT;

  RETURN jsonb_build_object('rescored', rescored, 'history', kept);
END
$$;
COMMENT ON FUNCTION public.rescore_leads(jsonb, timestamptz) IS
  'Server only: writes new scores of leads still as read and, where the score or tier changed, their previous scores into score_history, in one transaction.';
REVOKE ALL ON FUNCTION public.rescore_leads(jsonb, timestamptz) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.rescore_leads(jsonb, timestamptz) TO service_role;

REVOKE ALL ON public.score_history FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.score_history TO service_role;

ALTER TABLE public.score_history ENABLE ROW LEVEL SECURITY;

CREATE POLICY score_history_server_only ON public.score_history FOR ALL TO service_role USING (true) WITH CHECK (true);
COMMENT ON POLICY score_history_server_only ON public.score_history IS
  'Only the server (service role, or the table owner over DATABASE_URL) reads and writes score history; anon and authenticated have no policy and no grant.';
