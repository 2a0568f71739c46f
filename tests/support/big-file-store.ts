import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildEnrichment } from '../../lib/enrichment/enrich';
import { parseLeads, type Lead } from '../../lib/lead';
import { serializeEnrichments } from '../../lib/store/file-enrichments';
import { generateLeads } from '../../lib/synthetic';

/**
 * A file store the size the issue measured (60,000 leads, each with an enrichment: a ~40 MB leads file and a
 * ~55 MB enrichments file), for the test and the bench of live calls under a batch run. Each lead's company
 * description carries its id, so the fake Claude's requests can be traced back to leads.
 */
export async function writeBigFileStore(dir: string, count = 60_000): Promise<{ leadsPath: string; enrichmentsPath: string; leads: Lead[] }> {
  const leads = parseLeads(generateLeads({ count, seed: 60 })).leads.map((lead) => ({ ...lead, company_description: `${lead.company_description ?? 'No description.'} (ref ${lead.id})` }));
  const leadsPath = path.join(dir, 'leads.json');
  const enrichmentsPath = path.join(dir, 'enrichments.json');
  await writeFile(leadsPath, JSON.stringify(leads));
  const byLead = new Map(
    leads.map((lead) => [
      lead.id,
      buildEnrichment({
        leadId: lead.id,
        inputHash: 'h_earlier',
        rulesVersion: 'r_earlier',
        score: 50,
        output: { fit_narrative: `[mock] An earlier narrative for ${lead.id}.`, recommended_action: '[mock] Follow up.', confidence: 'medium' },
        source: 'mock',
        model: 'mock',
        usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
        costUsd: 0,
        latencyMs: 0,
        enrichedAt: new Date('2026-11-01T00:00:00.000Z'),
      }),
    ]),
  );
  await writeFile(enrichmentsPath, serializeEnrichments(byLead));
  return { leadsPath, enrichmentsPath, leads };
}
