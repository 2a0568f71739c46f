-- Leads with a value per field, for the warning that a rule reads a field (almost) no lead has
-- (lib/rule-coverage.ts). Contract fields by name, custom columns as `attributes.<name>`; the hidden
-- outcome and the id are not fields a rule can read. Server only: it names the custom columns.
CREATE VIEW public.lead_field_coverage WITH (security_invoker = true) AS
SELECT f.key AS field, count(*)::integer AS leads
FROM public.leads, jsonb_each(leads.record) AS f(key, value)
WHERE f.key NOT IN ('id', 'converted', 'attributes') AND jsonb_typeof(f.value) <> 'null'
GROUP BY f.key
UNION ALL
SELECT 'attributes.' || a.key AS field, count(*)::integer AS leads
FROM public.leads,
  jsonb_each(CASE WHEN jsonb_typeof(leads.record -> 'attributes') = 'object' THEN leads.record -> 'attributes' ELSE '{}'::jsonb END) AS a(key, value)
WHERE jsonb_typeof(a.value) <> 'null'
GROUP BY a.key;
COMMENT ON VIEW public.lead_field_coverage IS 'Leads with a value per field (attributes.<name> for custom columns): which scoring rules read nothing.';

REVOKE ALL ON public.lead_field_coverage FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.lead_field_coverage TO service_role;
