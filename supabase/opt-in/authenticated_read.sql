-- OPT-IN, not a migration: `npm run db:migrate` and `supabase db push` never apply this file.
--
-- For a read-only client you build yourself on Supabase (a BI tool, an internal app using supabase-js
-- with a user's session): lets `authenticated` users read the columns the dashboard's lead table and
-- lead page show, and the two summary views. Never the raw record (which holds the hidden `converted`
-- outcome), `converted`, input hashes, model, tokens, cost or latency. `anon` still reads nothing.
--
-- Before applying it: on Supabase, `authenticated` is anyone who signs in to the project's own Auth. Turn
-- off open sign-ups there (Authentication → Providers), or narrow the policy's USING clause to your
-- people, e.g. USING ((auth.jwt() ->> 'email') LIKE '%@example.com').
--
-- Apply: paste into the SQL editor, or `psql "$DATABASE_URL" -f supabase/opt-in/authenticated_read.sql`
-- (safe to rerun). Undo: supabase/opt-in/authenticated_read_undo.sql. Tested in tests/db/migrations.test.ts.

GRANT SELECT (id, first_name, last_name, email, job_title, company_name, industry, name_key, title_key,
  company_key, industry_key, email_key, score, tier, tier_rank, breakdown, top_reason_label, top_reason_points,
  rules_version, fit_narrative, recommended_action, confidence, enrichment_status, enrichment_rank, enriched_at)
  ON public.leads TO authenticated;
GRANT SELECT ON public.lead_summary, public.lead_industries TO authenticated;

DROP POLICY IF EXISTS leads_authenticated_read ON public.leads;
CREATE POLICY leads_authenticated_read ON public.leads FOR SELECT TO authenticated USING (true);
COMMENT ON POLICY leads_authenticated_read ON public.leads IS
  'Opt-in (supabase/opt-in/authenticated_read.sql): signed-in authenticated users read the shown columns of every lead.';
