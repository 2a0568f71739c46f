-- Grounding checks stored with each narrative (lib/enrichment/grounding.ts): the findings as written by
-- the server, and a generated status the lead table filters on. Nothing new is readable by anon or
-- authenticated: column grants name columns one by one, and these two are not granted.

ALTER TABLE public.leads
  ADD COLUMN narrative_checks jsonb
    CONSTRAINT leads_narrative_checks_shape CHECK (
      narrative_checks IS NULL
      OR (jsonb_typeof(narrative_checks) = 'object' AND jsonb_typeof(narrative_checks -> 'findings') = 'array')),
  -- flagged | clean while there is a narrative (unchecked for one stored before the checks existed); null without one.
  ADD COLUMN grounding_status text GENERATED ALWAYS AS (
    CASE
      WHEN enrichment_source IS NULL THEN NULL
      WHEN narrative_checks IS NULL THEN 'unchecked'
      WHEN jsonb_array_length(narrative_checks -> 'findings') > 0 THEN 'flagged'
      ELSE 'clean'
    END) STORED;

COMMENT ON COLUMN public.leads.narrative_checks IS
  'Grounding findings for the stored narrative: {"version", "findings": [{"check", "field", "text", "detail"}]}. Null: stored before the checks existed.';
COMMENT ON COLUMN public.leads.grounding_status IS 'flagged | clean | unchecked, from narrative_checks; null without a narrative.';

-- The Grounding filter, ordered like the default sort.
CREATE INDEX leads_grounding_status_score_idx ON public.leads (grounding_status, score DESC, id);

-- save_enrichments as before (see 20261127040000_leads.sql), now also writing narrative_checks.
CREATE OR REPLACE FUNCTION public.save_enrichments(p_rows jsonb)
RETURNS text[]
LANGUAGE plpgsql
VOLATILE
SECURITY INVOKER
SET search_path = pg_catalog, public
AS $$
DECLARE
  missing text[];
BEGIN
  SELECT array_agg(DISTINCT e.id ORDER BY e.id) INTO missing
  FROM jsonb_to_recordset(p_rows) AS e(id text)
  WHERE NOT EXISTS (SELECT 1 FROM public.leads l WHERE l.id = e.id);
  IF missing IS NOT NULL THEN
    RETURN missing;
  END IF;

  UPDATE public.leads AS l SET
    fit_narrative = e.fit_narrative,
    recommended_action = e.recommended_action,
    confidence = e.confidence,
    enrichment_source = e.enrichment_source,
    model = e.model,
    prompt_version = e.prompt_version,
    enrichment_input_hash = e.enrichment_input_hash,
    enrichment_rules_version = e.enrichment_rules_version,
    enrichment_score = e.enrichment_score,
    input_tokens = e.input_tokens,
    output_tokens = e.output_tokens,
    cache_read_input_tokens = e.cache_read_input_tokens,
    cache_creation_input_tokens = e.cache_creation_input_tokens,
    cost_usd = e.cost_usd,
    latency_ms = e.latency_ms,
    enriched_at = e.enriched_at,
    narrative_checks = e.narrative_checks
  FROM (
    SELECT DISTINCT ON (r.id) r.*
    FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS a(elem, position),
      jsonb_to_record(a.elem) AS r(
        id text, fit_narrative text, recommended_action text, confidence text, enrichment_source text, model text,
        prompt_version text, enrichment_input_hash text, enrichment_rules_version text, enrichment_score smallint,
        input_tokens integer, output_tokens integer, cache_read_input_tokens integer, cache_creation_input_tokens integer,
        cost_usd double precision, latency_ms double precision, enriched_at timestamptz, narrative_checks jsonb)
    ORDER BY r.id, r.enriched_at DESC, a.position DESC
  ) AS e
  WHERE l.id = e.id AND (l.enriched_at IS NULL OR l.enriched_at <= e.enriched_at);
  RETURN ARRAY[]::text[];
END
$$;
COMMENT ON FUNCTION public.save_enrichments(jsonb) IS
  'Server only: writes enrichment columns (with the grounding findings) of existing leads, never lead or score columns; returns unknown lead ids and writes nothing if there are any.';
-- CREATE OR REPLACE keeps the grants of 20261127040000_leads.sql; restated so this file reads on its own.
REVOKE ALL ON FUNCTION public.save_enrichments(jsonb) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.save_enrichments(jsonb) TO service_role;
