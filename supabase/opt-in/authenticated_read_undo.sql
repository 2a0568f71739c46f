-- Undoes supabase/opt-in/authenticated_read.sql: `authenticated` reads nothing again (the default).
DROP POLICY IF EXISTS leads_authenticated_read ON public.leads;
REVOKE ALL ON public.leads, public.lead_summary, public.lead_industries FROM authenticated;
