-- By default the API roles read nothing (issue 21): `anon` is Supabase's public key, and a public key
-- must not read every lead's name, email, title and company. `authenticated` loses its read too: in a
-- Supabase project it is anyone who signs up to the project's own Auth, which LeadSignal does not use.
--
-- The dashboard is unaffected: it reads on the server, as the service role (LEAD_STORE=supabase) or as
-- the table owner over DATABASE_URL (LEAD_STORE=postgres). A read-only client of your own opts in with
-- supabase/opt-in/authenticated_read.sql (signed-in `authenticated` users, the shown columns only).

DROP POLICY IF EXISTS leads_public_read ON public.leads;
REVOKE ALL ON public.leads, public.lead_summary, public.lead_industries FROM PUBLIC, anon, authenticated;
