-- SDR feedback on narratives (lib/enrichment/feedback.ts): helpful or wrong, with an optional reason, one
-- verdict per lead, narrative and author. Its own table, so feedback never touches a score or a narrative.
-- Each row keeps what it was about (the narrative's source, model, prompt version, confidence, grounding
-- flag and time), so /validate can count agreement after the narrative itself was replaced.
-- Server only: anon and authenticated get nothing (it names who said what).

CREATE TABLE public.narrative_feedback (
  lead_id text COLLATE "C" NOT NULL REFERENCES public.leads (id) ON DELETE CASCADE,
  -- Identifies the narrative: a lead's next narrative has a later enriched_at.
  narrative_enriched_at timestamptz NOT NULL,
  -- The signed-in user's id, or 'local' under open local access.
  author_key text NOT NULL CHECK (author_key <> ''),
  author_email text,
  author_name text,
  verdict text NOT NULL CHECK (verdict IN ('helpful', 'wrong')),
  reason text CHECK (reason IS NULL OR char_length(reason) BETWEEN 1 AND 500),
  narrative_source text NOT NULL CHECK (narrative_source IN ('claude', 'mock')),
  narrative_model text NOT NULL,
  narrative_prompt_version text NOT NULL,
  narrative_confidence text NOT NULL CHECK (narrative_confidence IN ('high', 'medium', 'low')),
  narrative_flagged boolean NOT NULL,
  given_at timestamptz NOT NULL,
  PRIMARY KEY (lead_id, narrative_enriched_at, author_key)
);

COMMENT ON TABLE public.narrative_feedback IS
  'SDR verdicts (helpful/wrong, optional reason) on narratives, one per lead, narrative and author, with the narrative''s model, prompt version, confidence and grounding flag. Written only by the server; never read by scoring.';

REVOKE ALL ON public.narrative_feedback FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.narrative_feedback TO service_role;

ALTER TABLE public.narrative_feedback ENABLE ROW LEVEL SECURITY;

CREATE POLICY narrative_feedback_server_only ON public.narrative_feedback FOR ALL TO service_role USING (true) WITH CHECK (true);
COMMENT ON POLICY narrative_feedback_server_only ON public.narrative_feedback IS
  'Only the server (service role, or the table owner over DATABASE_URL) reads and writes feedback; anon and authenticated have no policy and no grant.';
