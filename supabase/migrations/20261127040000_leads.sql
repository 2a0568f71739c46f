-- LeadSignal: scored and enriched leads.
--
-- Runs unchanged on Supabase (Dashboard SQL editor, `supabase db push`) and on plain PostgreSQL 15+
-- (`npm run db:migrate`). Access model:
--   * the server writes with the service role (Supabase) or as the table owner (DATABASE_URL);
--   * `anon` (the public Supabase key) and `authenticated` may read only the columns the lead table and
--     lead page show: never the raw record (which holds the hidden `converted` outcome and fields the
--     dashboard does not show), never `converted`, never cost or token metadata.

-- Supabase has these roles; a bare PostgreSQL does not. Two migrations running at once (parallel test
-- databases in one cluster) may both try to create a role, hence the duplicate_object guard.
DO $$
DECLARE
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    END IF;
  END LOOP;
END
$$;

-- pg_trgm powers substring search. Supabase keeps extensions in the `extensions` schema.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'extensions') THEN
    CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;
  ELSE
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
  END IF;
END
$$;

CREATE TABLE public.leads (
  -- COLLATE "C": ids order by code point, the same order every store uses for ties.
  id text COLLATE "C" PRIMARY KEY,
  record jsonb NOT NULL,

  -- Read from the record, so they can never disagree with it. *_key columns are the lower-cased sort
  -- and search keys, compared by code point.
  first_name text GENERATED ALWAYS AS (record ->> 'first_name') STORED,
  last_name text GENERATED ALWAYS AS (record ->> 'last_name') STORED,
  email text GENERATED ALWAYS AS (record ->> 'email') STORED,
  job_title text GENERATED ALWAYS AS (record ->> 'job_title') STORED,
  company_name text GENERATED ALWAYS AS (record ->> 'company_name') STORED,
  industry text GENERATED ALWAYS AS (record ->> 'industry') STORED,
  converted boolean GENERATED ALWAYS AS ((record ->> 'converted')::boolean) STORED,
  name_key text COLLATE "C" GENERATED ALWAYS AS (lower(
    CASE
      WHEN record ->> 'first_name' IS NULL THEN record ->> 'last_name'
      WHEN record ->> 'last_name' IS NULL THEN record ->> 'first_name'
      ELSE (record ->> 'first_name') || ' ' || (record ->> 'last_name')
    END)) STORED,
  title_key text COLLATE "C" GENERATED ALWAYS AS (lower(record ->> 'job_title')) STORED,
  company_key text COLLATE "C" GENERATED ALWAYS AS (lower(record ->> 'company_name')) STORED,
  industry_key text COLLATE "C" GENERATED ALWAYS AS (lower(record ->> 'industry')) STORED,
  email_key text COLLATE "C" GENERATED ALWAYS AS (lower(record ->> 'email')) STORED,

  -- The score, written by the server from the rules engine.
  score smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
  tier text NOT NULL CHECK (tier IN ('HOT', 'WARM', 'COLD')),
  tier_rank smallint GENERATED ALWAYS AS (CASE tier WHEN 'HOT' THEN 3 WHEN 'WARM' THEN 2 ELSE 1 END) STORED,
  breakdown jsonb NOT NULL CHECK (jsonb_typeof(breakdown) = 'array'),
  top_reason_label text,
  top_reason_points smallint,
  rules_version text NOT NULL,
  input_hash text NOT NULL,

  -- The enrichment: all of these are set together, or none is.
  fit_narrative text,
  recommended_action text,
  confidence text CHECK (confidence IN ('high', 'medium', 'low')),
  enrichment_source text CHECK (enrichment_source IN ('claude', 'mock')),
  model text,
  prompt_version text,
  enrichment_input_hash text,
  enrichment_rules_version text,
  enrichment_score smallint CHECK (enrichment_score BETWEEN 0 AND 100),
  input_tokens integer CHECK (input_tokens >= 0),
  output_tokens integer CHECK (output_tokens >= 0),
  cache_read_input_tokens integer CHECK (cache_read_input_tokens >= 0),
  cache_creation_input_tokens integer CHECK (cache_creation_input_tokens >= 0),
  cost_usd double precision CHECK (cost_usd >= 0),
  latency_ms double precision CHECK (latency_ms >= 0),
  enriched_at timestamptz,

  -- claude | mock while the narrative matches the lead and rules it was written for, stale once either
  -- changed, none without one. Recomputed by PostgreSQL on every write of the row.
  enrichment_status text NOT NULL GENERATED ALWAYS AS (
    CASE
      WHEN enrichment_source IS NULL THEN 'none'
      WHEN enrichment_input_hash <> input_hash OR enrichment_rules_version <> rules_version THEN 'stale'
      ELSE enrichment_source
    END) STORED,
  enrichment_rank smallint NOT NULL GENERATED ALWAYS AS (
    CASE
      WHEN enrichment_source IS NULL THEN 1
      WHEN enrichment_input_hash <> input_hash OR enrichment_rules_version <> rules_version THEN 2
      WHEN enrichment_source = 'mock' THEN 3
      ELSE 4
    END) STORED,

  CONSTRAINT leads_record_is_lead CHECK (jsonb_typeof(record) = 'object' AND record ->> 'id' = id),
  -- cost_usd stays out of the count: it is null when the model has no price on file.
  CONSTRAINT leads_enrichment_complete CHECK (
    num_nulls(fit_narrative, recommended_action, confidence, enrichment_source, model, prompt_version,
      enrichment_input_hash, enrichment_rules_version, enrichment_score, input_tokens, output_tokens,
      cache_read_input_tokens, cache_creation_input_tokens, latency_ms, enriched_at) IN (0, 15))
);

-- The record and breakdown (about 2.5 kB per lead) are compressed on write: lz4 is several times
-- faster than the default pglz, which matters when seeding 100,000 leads. Builds without lz4 keep pglz.
DO $$
BEGIN
  ALTER TABLE public.leads ALTER COLUMN record SET COMPRESSION lz4, ALTER COLUMN breakdown SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END
$$;

COMMENT ON TABLE public.leads IS
  'One row per lead: the validated record (jsonb, including the hidden converted outcome), its rules-engine score and breakdown, and its Claude/mock enrichment. Written only by the server; anon/authenticated read only the displayed columns.';
COMMENT ON COLUMN public.leads.record IS 'The lead as validated by lib/lead.ts (leadSchema). Holds the hidden outcome: not readable by anon.';
COMMENT ON COLUMN public.leads.converted IS 'Hidden outcome, only for the /validate backtest (server-side). Not readable by anon.';
COMMENT ON COLUMN public.leads.input_hash IS 'leadInputHash(record) when scored; compared with enrichment_input_hash to flag stale narratives.';
COMMENT ON COLUMN public.leads.enrichment_status IS 'claude | mock | stale | none, computed from the enrichment hashes vs the current ones.';
COMMENT ON COLUMN public.leads.name_key IS 'lower("first last"), COLLATE "C": sort and search key for the name.';

-- The dashboard's first page (score desc) and its reverse; ties by id.
CREATE INDEX leads_score_desc_idx ON public.leads (score DESC, id);
CREATE INDEX leads_score_asc_idx ON public.leads (score, id);
-- Filters, each ordered like the default sort so a filtered first page needs no sort of the whole set.
CREATE INDEX leads_tier_score_idx ON public.leads (tier, score DESC, id);
CREATE INDEX leads_industry_score_idx ON public.leads (industry, score DESC, id);
CREATE INDEX leads_enrichment_status_score_idx ON public.leads (enrichment_status, score DESC, id);

-- Substring search on name, company and email (LIKE / ~ on the lower-cased keys).
DO $$
DECLARE
  trgm_schema text := (
    SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm');
BEGIN
  EXECUTE format(
    'CREATE INDEX leads_search_trgm_idx ON public.leads USING gin (name_key %1$I.gin_trgm_ops, company_key %1$I.gin_trgm_ops, email_key %1$I.gin_trgm_ops)',
    trgm_schema);
END
$$;

-- Counts for the dashboard header, in one place for both adapters (PostgREST reads views too).
-- security_invoker: the view applies the caller's own privileges and row level security.
CREATE VIEW public.lead_summary WITH (security_invoker = true) AS
SELECT
  count(*)::integer AS total,
  count(*) FILTER (WHERE tier = 'HOT')::integer AS hot,
  count(*) FILTER (WHERE tier = 'WARM')::integer AS warm,
  count(*) FILTER (WHERE tier = 'COLD')::integer AS cold,
  count(*) FILTER (WHERE enrichment_status IN ('claude', 'mock'))::integer AS enriched,
  count(*) FILTER (WHERE enrichment_status = 'mock')::integer AS mock,
  count(*) FILTER (WHERE enrichment_status = 'stale')::integer AS stale,
  (SELECT rules_version FROM public.leads GROUP BY rules_version ORDER BY count(*) DESC, rules_version LIMIT 1) AS rules_version
FROM public.leads;
COMMENT ON VIEW public.lead_summary IS 'Dashboard header counts: totals by tier and enrichment status, and the rules version most leads were scored with.';

CREATE VIEW public.lead_industries WITH (security_invoker = true) AS
SELECT DISTINCT industry COLLATE "C" AS industry, industry_key FROM public.leads WHERE industry IS NOT NULL;
COMMENT ON VIEW public.lead_industries IS 'Distinct industries for the dashboard filter; order by industry_key, industry for the dashboard''s order.';

-- Sets the enrichment of existing leads from a JSON array of flat enrichment rows (keys = the enrichment
-- columns plus "id"). Only enrichment columns are written. Nothing is written when any id is unknown:
-- the unknown ids are returned instead. A row older than the stored enrichment (enriched_at) is ignored,
-- so a slow batch job never overwrites a fresher live re-enrich; within one call the newest row per id wins.
CREATE FUNCTION public.save_enrichments(p_rows jsonb)
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
    enriched_at = e.enriched_at
  FROM (
    SELECT DISTINCT ON (r.id) r.*
    FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS a(elem, position),
      jsonb_to_record(a.elem) AS r(
        id text, fit_narrative text, recommended_action text, confidence text, enrichment_source text, model text,
        prompt_version text, enrichment_input_hash text, enrichment_rules_version text, enrichment_score smallint,
        input_tokens integer, output_tokens integer, cache_read_input_tokens integer, cache_creation_input_tokens integer,
        cost_usd double precision, latency_ms double precision, enriched_at timestamptz)
    ORDER BY r.id, r.enriched_at DESC, a.position DESC
  ) AS e
  WHERE l.id = e.id AND (l.enriched_at IS NULL OR l.enriched_at <= e.enriched_at);
  RETURN ARRAY[]::text[];
END
$$;
COMMENT ON FUNCTION public.save_enrichments(jsonb) IS
  'Server only: writes enrichment columns of existing leads (never lead or score columns); returns unknown lead ids and writes nothing if there are any.';
-- Functions are executable by PUBLIC by default, and Supabase exposes them as RPC: server only.
REVOKE ALL ON FUNCTION public.save_enrichments(jsonb) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.save_enrichments(jsonb) TO service_role;

-- Supabase grants every privilege on new public tables to anon and authenticated by default.
-- Take them all back, then give exactly what each role needs.
REVOKE ALL ON public.leads, public.lead_summary, public.lead_industries FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT (id, first_name, last_name, email, job_title, company_name, industry, name_key, title_key,
  company_key, industry_key, email_key, score, tier, tier_rank, breakdown, top_reason_label, top_reason_points,
  rules_version, fit_narrative, recommended_action, confidence, enrichment_status, enrichment_rank, enriched_at)
  ON public.leads TO anon, authenticated;
GRANT SELECT ON public.lead_summary, public.lead_industries TO anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.leads TO service_role;
GRANT SELECT ON public.lead_summary, public.lead_industries TO service_role;

ALTER TABLE public.leads ENABLE ROW LEVEL SECURITY;

CREATE POLICY leads_public_read ON public.leads FOR SELECT TO anon, authenticated USING (true);
COMMENT ON POLICY leads_public_read ON public.leads IS
  'Anyone with the anon key may read every lead, but only the columns granted above (no raw record, no outcome, no cost data).';

CREATE POLICY leads_server_write ON public.leads FOR ALL TO service_role USING (true) WITH CHECK (true);
COMMENT ON POLICY leads_server_write ON public.leads IS
  'Only the server (service role) inserts, updates and deletes. On Supabase the service role bypasses RLS anyway; on plain PostgreSQL this policy is what lets it write.';
