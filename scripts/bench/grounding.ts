import { checkNarrative } from '../../lib/enrichment/grounding';
import { mockEnrichmentOutput } from '../../lib/enrichment/mock';
import { parseLeads, toScorable } from '../../lib/lead';
import { DEFAULT_RULES, scoreLead } from '../../lib/scoring';
import { AS_OF, generateLeads } from '../../lib/synthetic';
import { fmt, percentile, type BenchModule, type BenchRow } from './types';

/**
 * The grounding checks' cost per narrative (lib/enrichment/grounding.ts), run on every narrative stored:
 * a live call takes seconds, so the checks only matter when a batch of many thousands is collected.
 */
const TARGET_PER_S = 100;
const LEADS = 2_000;

/** A narrative like Claude's: numbers, names, a tier, a tool, so every check has work to do. */
function realistic(lead: ReturnType<typeof toScorable>, result: ReturnType<typeof scoreLead>) {
  return {
    fit_narrative: `${lead.job_title ?? 'Contact'} at ${lead.company_name ?? 'the company'}, ${lead.employee_count ?? 'unknown'} employees in ${lead.industry ?? 'an unknown industry'}; ${result.tier} at ${result.score}/100 with ${lead.pricing_page_views_30d ?? 0} pricing views, and the team uses Salesforce.`,
    recommended_action: result.tier === 'COLD' ? 'Add to nurture; no SDR time yet.' : 'Send a tailored follow-up this week and offer a 20-minute call.',
  };
}

async function run(): Promise<BenchRow[]> {
  const now = new Date(AS_OF);
  const inputs = parseLeads(generateLeads({ count: LEADS, seed: 9 })).leads.map((l) => {
    const lead = toScorable(l);
    return { lead, result: scoreLead(lead, { rules: DEFAULT_RULES, now }) };
  });
  const rows: BenchRow[] = [];
  for (const [name, output] of [
    ['mock narratives', (i: (typeof inputs)[number]) => mockEnrichmentOutput(i.result)],
    ['Claude-like narratives', (i: (typeof inputs)[number]) => realistic(i.lead, i.result)],
  ] as const) {
    for (const i of inputs.slice(0, 100)) checkNarrative({ ...i, rules: DEFAULT_RULES }, output(i)); // warm-up
    const times: number[] = [];
    let findings = 0;
    const started = performance.now();
    for (const i of inputs) {
      const t = performance.now();
      findings += checkNarrative({ ...i, rules: DEFAULT_RULES }, output(i)).findings.length;
      times.push(performance.now() - t);
    }
    const perSecond = inputs.length / ((performance.now() - started) / 1000);
    times.sort((a, b) => a - b);
    rows.push({
      area: 'grounding',
      metric: `checkNarrative, ${fmt(LEADS)} ${name} (p95 ${fmt(percentile(times, 95), 1)} ms; ${fmt(findings)} findings)`,
      value: `${fmt(perSecond)} narratives/s`,
      target: `≥ ${fmt(TARGET_PER_S)} narratives/s`,
      pass: perSecond >= TARGET_PER_S,
    });
  }
  return rows;
}

export default { area: 'grounding', run } satisfies BenchModule;
