import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrichLead, MAX_ATTEMPTS } from '@/lib/enrichment/enrich';
import { checkNarrative, GROUNDING_VERSION } from '@/lib/enrichment/grounding';
import { MOCK_MARKER } from '@/lib/enrichment/mock';
import { PROMPT_VERSION, SYSTEM_PROMPT } from '@/lib/enrichment/prompt';
import { enrichmentSchema } from '@/lib/enrichment/schema';
import { isAppError } from '@/lib/errors';
import { leadInputHash, toScorable } from '@/lib/lead';
import { DEFAULT_RULES, scoreLead } from '@/lib/scoring';
import { startFakeAnthropic, VALID_ANSWER, type FakeAnthropic } from '../support/fake-anthropic';
import { fakeClient, MODEL, NOW, sampleLeads } from './fixtures';

const [fullLead] = sampleLeads(1);
const lead = toScorable(fullLead!);
const result = scoreLead(lead, { rules: DEFAULT_RULES, now: NOW });
const rules = DEFAULT_RULES;

let fake: FakeAnthropic;
beforeEach(async () => {
  fake = await startFakeAnthropic();
});
afterEach(async () => {
  await fake.close();
});

async function failureOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('enrichLead against the Messages API', () => {
  it('sends a cached system prompt, structured output format and the score; stores the answer with usage and cost', async () => {
    const enrichment = await enrichLead({ lead, result, rules, client: fakeClient(fake.url), model: MODEL });

    expect(enrichmentSchema.parse(enrichment)).toEqual(enrichment);
    expect(enrichment).toMatchObject({
      ...VALID_ANSWER,
      lead_id: lead.id,
      source: 'claude',
      model: MODEL,
      prompt_version: PROMPT_VERSION,
      input_hash: leadInputHash(lead),
      rules_version: result.rulesVersion,
      score: result.score,
    });
    expect(enrichment.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(enrichment.cost_usd).toBeGreaterThan(0);

    const [request] = fake.messageRequests();
    // This SDK version sends the key as a bearer token; older ones used x-api-key.
    expect(request!.headers.authorization ?? `Bearer ${request!.headers['x-api-key']}`).toBe('Bearer sk-ant-test-dummy');
    const body = request!.body;
    expect(body.model).toBe(MODEL);
    expect(body.system).toEqual([{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }]);
    expect(SYSTEM_PROMPT).toMatch(/never re-score/i);
    expect(body.output_config?.format?.type).toBe('json_schema');
    expect(body.output_config?.format?.schema.required).toEqual(['fit_narrative', 'recommended_action', 'confidence']);
    expect(body.output_config?.effort).toBe('low');
    expect(body.tool_choice).toBeUndefined();
    expect(body.tools).toBeUndefined();
    const user = String(body.messages?.[0]?.content);
    expect(user).toContain(`Score: ${result.score}/100, tier ${result.tier}`);
  });

  it('reads the cache on the second call', async () => {
    const client = fakeClient(fake.url);
    await enrichLead({ lead, result, rules, client, model: MODEL });
    const second = await enrichLead({ lead, result, rules, client, model: MODEL });
    expect(second.usage.cache_read_input_tokens).toBeGreaterThan(0);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
  });

  it('waits as a 429 retry-after says, then succeeds (SDK retries)', async () => {
    fake.respond((_req, i) => (i === 0 ? { kind: 'error', status: 429, retryAfter: '1' } : { kind: 'ok' }));
    const enrichment = await enrichLead({ lead, result, rules, client: fakeClient(fake.url), model: MODEL });
    expect(enrichment.source).toBe('claude');
    const [first, second] = fake.messageRequests();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(second!.headers['x-stainless-retry-count']).toBe('1');
  });

  it('retries a 529 overloaded answer, then succeeds', async () => {
    fake.respond((_req, i) => (i < 2 ? { kind: 'error', status: 529, retryAfterMs: 20 } : { kind: 'ok' }));
    const enrichment = await enrichLead({ lead, result, rules, client: fakeClient(fake.url, { maxRetries: 3 }), model: MODEL });
    expect(enrichment.source).toBe('claude');
    expect(fake.messageRequests()).toHaveLength(3);
  });

  it('gives up on persistent 500s after the SDK retries, as UPSTREAM_ERROR with a safe message', async () => {
    fake.respond(() => ({ kind: 'error', status: 500, retryAfterMs: 10 }));
    const error = await failureOf(enrichLead({ lead, result, rules, client: fakeClient(fake.url, { maxRetries: 2 }), model: MODEL }));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toMatch(/HTTP 500 api_error.*after retries/);
    expect(error.safeMessage).not.toMatch(/500|api_error/);
    expect(error.cause).toBeDefined();
    expect(fake.messageRequests()).toHaveLength(3);
  });

  it('asks once more after a malformed answer and uses the second answer', async () => {
    fake.respond((_req, i) => (i === 0 ? { kind: 'ok', answer: '{"fit_narrative": "cut off' } : { kind: 'ok' }));
    const usages: number[] = [];
    const enrichment = await enrichLead({ lead, result, rules, client: fakeClient(fake.url), model: MODEL, onUsage: (u) => usages.push(u.output_tokens) });
    expect(enrichment.fit_narrative).toBe(VALID_ANSWER.fit_narrative);
    expect(fake.messageRequests()).toHaveLength(2);
    expect(usages).toHaveLength(2);
    // Both answers were billed, so both count in the stored usage.
    expect(enrichment.usage.output_tokens).toBe(usages[0]! + usages[1]!);
  });

  it('records an out-of-schema answer twice as a failure naming the field', async () => {
    fake.respond(() => ({ kind: 'ok', answer: { fit_narrative: 'x'.repeat(700), recommended_action: 'Call.', confidence: 'certain', score: 100 } }));
    const error = await failureOf(enrichLead({ lead, result, rules, client: fakeClient(fake.url), model: MODEL }));
    expect(fake.messageRequests()).toHaveLength(MAX_ATTEMPTS);
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toMatch(/invalid answer 2 times.*fit_narrative.*confidence/);
  });

  it('treats a refusal as an invalid answer', async () => {
    fake.respond(() => ({ kind: 'ok', answer: '', stopReason: 'refusal' }));
    const error = await failureOf(enrichLead({ lead, result, rules, client: fakeClient(fake.url), model: MODEL }));
    expect(error.message).toMatch(/refusal/);
  });

  it('times out a slow answer', async () => {
    fake.respond(() => ({ kind: 'ok', latencyMs: 1_500 }));
    const error = await failureOf(enrichLead({ lead, result, rules, client: fakeClient(fake.url, { maxRetries: 1, timeoutMs: 200 }), model: MODEL }));
    expect(error.message).toMatch(/timed out/);
    expect(fake.messageRequests()).toHaveLength(2);
  });

  it('reports a bad key as CONFIG_ERROR, since no later call can succeed', async () => {
    fake.respond(() => ({ kind: 'error', status: 401 }));
    const error = await failureOf(enrichLead({ lead, result, rules, client: fakeClient(fake.url), model: MODEL }));
    expect(error.code).toBe('CONFIG_ERROR');
    expect(fake.messageRequests()).toHaveLength(1);
  });

  it('never takes a score from the answer', async () => {
    fake.respond(() => ({ kind: 'ok', answer: { ...VALID_ANSWER, score: 100, tier: 'HOT' } }));
    const enrichment = await enrichLead({ lead, result: { ...result, score: 12, tier: 'COLD' }, rules, client: fakeClient(fake.url), model: MODEL });
    expect(enrichment.score).toBe(12);
    expect(enrichment).not.toHaveProperty('tier');
  });

  it("stores the grounding checks of Claude's answer with it", async () => {
    const answer = { fit_narrative: `A HOT lead at ${result.score}/100.`, recommended_action: 'Send a tailored follow-up.', confidence: 'high' };
    fake.respond(() => ({ kind: 'ok', answer }));
    const enrichment = await enrichLead({ lead, result: { ...result, tier: 'WARM' }, rules, client: fakeClient(fake.url), model: MODEL });
    expect(enrichment.checks).toEqual(checkNarrative({ lead, result: { ...result, tier: 'WARM' }, rules }, answer));
    expect(enrichment.checks).toMatchObject({ version: GROUNDING_VERSION, findings: [{ check: 'tier_mismatch', field: 'fit_narrative', text: 'HOT lead' }] });
  });
});

describe('enrichLead in mock mode', () => {
  it('writes a labelled, free, deterministic narrative without any request', async () => {
    const a = await enrichLead({ lead, result, rules, client: null, model: MODEL });
    const b = await enrichLead({ lead, result, rules, client: null, model: MODEL });
    expect(a).toMatchObject({ source: 'mock', model: 'mock', cost_usd: 0, score: result.score });
    expect(a.fit_narrative.startsWith(MOCK_MARKER)).toBe(true);
    expect({ ...a, enriched_at: '', latency_ms: 0 }).toEqual({ ...b, enriched_at: '', latency_ms: 0 });
    expect(a.checks).toEqual({ version: GROUNDING_VERSION, findings: [] });
    expect(fake.requests).toHaveLength(0);
  });
});
