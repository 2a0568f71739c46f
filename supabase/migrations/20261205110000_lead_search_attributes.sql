-- Imported data that is not B2B: search also finds a lead by its id and by the value of any text
-- attribute.

-- The lower-cased text attributes of a record, one per line (in key order): what search looks in.
-- IMMUTABLE and without a table read, so a generated column can use it.
CREATE FUNCTION public.lead_text_attributes(p_record jsonb)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog
AS $$
  SELECT string_agg(lower(a.value #>> '{}'), E'\n' ORDER BY a.key)
  FROM jsonb_each(CASE WHEN jsonb_typeof(p_record -> 'attributes') = 'object' THEN p_record -> 'attributes' ELSE '{}'::jsonb END) AS a(key, value)
  WHERE jsonb_typeof(a.value) = 'string'
$$;
COMMENT ON FUNCTION public.lead_text_attributes(jsonb) IS 'The lower-cased string attributes of a lead record, one per line: the search key of attributes_key.';
-- Evaluated when a lead row is written: by the service role (Supabase) or the owner (DATABASE_URL).
REVOKE ALL ON FUNCTION public.lead_text_attributes(jsonb) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.lead_text_attributes(jsonb) TO service_role;

ALTER TABLE public.leads
  ADD COLUMN id_key text COLLATE "C" GENERATED ALWAYS AS (lower(id)) STORED,
  ADD COLUMN attributes_key text COLLATE "C" GENERATED ALWAYS AS (public.lead_text_attributes(record)) STORED;
COMMENT ON COLUMN public.leads.id_key IS 'lower(id), COLLATE "C": search key for the id.';
COMMENT ON COLUMN public.leads.attributes_key IS 'The lower-cased text attributes, one per line: search key for custom attributes.';

DROP INDEX public.leads_search_trgm_idx;
DO $$
DECLARE
  trgm_schema text := (
    SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm');
BEGIN
  EXECUTE format(
    'CREATE INDEX leads_search_trgm_idx ON public.leads USING gin (name_key %1$I.gin_trgm_ops, company_key %1$I.gin_trgm_ops, '
    'email_key %1$I.gin_trgm_ops, id_key %1$I.gin_trgm_ops, attributes_key %1$I.gin_trgm_ops)',
    trgm_schema);
END
$$;
