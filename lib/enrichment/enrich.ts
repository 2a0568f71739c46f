import type Anthropic from '@anthropic-ai/sdk';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import type { AutoParseableOutputFormat } from '@anthropic-ai/sdk/lib/parser';
import type { Message, MessageCreateParamsNonStreaming, Usage } from '@anthropic-ai/sdk/resources/messages/messages';
import { AppError } from '../errors';
import { leadInputHash, type ScorableLead } from '../lead';
import type { RuleSet } from '../rules';
import type { ScoreResult } from '../scoring';
import { checkNarrative } from './grounding';
import { MOCK_MODEL, mockEnrichmentOutput } from './mock';
import { BATCH_DISCOUNT, CACHE_WRITE_MULTIPLIER, estimateTokens, modelPrice, usageCostUsd } from './pricing';
import { buildLeadPrompt, PROMPT_VERSION, SYSTEM_PROMPT } from './prompt';
import { enrichmentOutputSchema, type Enrichment, type EnrichmentOutput, type NarrativeChecks, type TokenUsage } from './schema';

/**
 * `enrichLead`: the one way a lead gets its narrative, used by the batch job and the live
 * `/api/enrich` route alike. The score is context, never output: the stored enrichment copies the
 * score it was written against from the scoring result, and Claude's answer has no score field.
 */

/** Room for adaptive thinking on top of the ~150-token answer; also the worst case a budget reserves. */
export const MAX_OUTPUT_TOKENS = 1_024;
/** An answer that does not fit the schema is asked for once more, then recorded as a failure. */
export const MAX_ATTEMPTS = 2;

export const ZERO_USAGE: TokenUsage = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

/** `effort` exists on the 4.6+ and 5.x models; older ids reject the field, so it is only sent where it is known. */
const ACCEPTS_EFFORT = /^claude-((opus|sonnet|haiku|fable|mythos)-5|opus-4-[678]|sonnet-4-6)/;

const SAFE_MESSAGE = 'Claude could not write a narrative for this lead right now. Try again later.';

export type ParsedAnswer = { ok: true; output: EnrichmentOutput } | { ok: false; reason: string };

/** The schema failures the SDK reports, in one line: "fit_narrative: Too big …; confidence: Invalid option …". */
function schemaFailureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const issues = message
    .split('\n')
    .filter((line) => line.startsWith('  - '))
    .map((line) => line.slice(4));
  return issues.length ? `answer does not fit the schema: ${issues.join('; ')}` : message.split('\n')[0]!;
}

const schemaFormat = zodOutputFormat(enrichmentOutputSchema);

/**
 * Structured outputs format for `messages.parse`: the SDK's zod format, whose parse reports a bad answer
 * as a value instead of throwing, so the answer's usage (which is billed) is still seen.
 */
const answerFormat: AutoParseableOutputFormat<ParsedAnswer> = {
  type: schemaFormat.type,
  schema: schemaFormat.schema,
  parse(content) {
    try {
      return { ok: true, output: schemaFormat.parse(content) };
    } catch (error) {
      return { ok: false, reason: schemaFailureReason(error) };
    }
  },
};

/** The Messages API request for one lead; the batch job sends the same body through the Batches API. */
export function enrichmentRequest(lead: ScorableLead, result: ScoreResult, rules: RuleSet, model: string): MessageCreateParamsNonStreaming {
  return {
    model,
    max_tokens: MAX_OUTPUT_TOKENS,
    system: [{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: buildLeadPrompt(lead, result, rules) }],
    output_config: { format: { type: schemaFormat.type, schema: schemaFormat.schema }, ...(ACCEPTS_EFFORT.test(model) ? { effort: 'low' } : {}) },
  };
}

/**
 * What one lead's narrative can cost at most, reserved before the call by the batch job's --max-cost and the
 * live route's daily budget: the input at the cache-write price and a full max_tokens answer, for every
 * attempt (live calls retry an invalid answer once; batch requests are never retried). null: no price on file.
 */
export function worstCaseCostUsd(model: string, userPrompt: string, { batch = false }: { batch?: boolean } = {}): number | null {
  const price = modelPrice(model);
  if (!price) return null;
  const input = estimateTokens(SYSTEM_PROMPT) + estimateTokens(userPrompt);
  const perAttempt = (input * CACHE_WRITE_MULTIPLIER * price.inputPerMTok + MAX_OUTPUT_TOKENS * price.outputPerMTok) / 1_000_000;
  return batch ? perAttempt * BATCH_DISCOUNT : perAttempt * MAX_ATTEMPTS;
}

export function tokenUsage(usage: Usage): TokenUsage {
  return {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
  };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_read_input_tokens: a.cache_read_input_tokens + b.cache_read_input_tokens,
    cache_creation_input_tokens: a.cache_creation_input_tokens + b.cache_creation_input_tokens,
  };
}

/** Reads Claude's answer out of a message; used on batch results, where `messages.parse` is not involved. */
export function readAnswer(message: Message): ParsedAnswer {
  if (message.stop_reason === 'refusal') return { ok: false, reason: 'Claude declined to answer (stop_reason "refusal")' };
  if (message.stop_reason === 'max_tokens') return { ok: false, reason: `answer cut off at max_tokens (${MAX_OUTPUT_TOKENS})` };
  const text = message.content.find((block) => block.type === 'text');
  return text ? answerFormat.parse(text.text) : { ok: false, reason: 'the answer has no text block' };
}

export interface EnrichmentFacts {
  leadId: string;
  /** `leadInputHash` of the lead the answer was written for. */
  inputHash: string;
  rulesVersion: string;
  /** The score the answer was written against, copied from scoring: never from the answer. */
  score: number;
  output: EnrichmentOutput;
  source: Enrichment['source'];
  model: string;
  usage: TokenUsage;
  costUsd: number | null;
  latencyMs: number;
  enrichedAt: Date;
  /** Grounding findings (./grounding.ts); left out only when the lead the answer was written for is no longer at hand. */
  checks?: NarrativeChecks;
}

/**
 * The stored record, from values already validated (the answer by its schema, the rest by types); the
 * store validates again on save. An unknown price is stored as 0 because the schema needs a number;
 * the job's summary reports the cost as unknown instead of adding it up.
 */
export function buildEnrichment(f: EnrichmentFacts): Enrichment {
  return {
    ...f.output,
    lead_id: f.leadId,
    source: f.source,
    model: f.model,
    prompt_version: PROMPT_VERSION,
    input_hash: f.inputHash,
    rules_version: f.rulesVersion,
    score: f.score,
    usage: f.usage,
    cost_usd: f.costUsd,
    latency_ms: Math.round(f.latencyMs),
    enriched_at: f.enrichedAt.toISOString(),
    ...(f.checks ? { checks: f.checks } : {}),
  };
}

/**
 * An SDK error after the SDK's own retries, as an UPSTREAM_ERROR (or CONFIG_ERROR when no later call
 * can succeed either: bad key, no access, unknown model). The message is for logs and the job summary;
 * clients get the safe message.
 */
export function upstreamError(error: unknown, leadId: string): AppError {
  const fail = (code: 'UPSTREAM_ERROR' | 'CONFIG_ERROR', reason: string) =>
    new AppError(code, `Enrichment of lead "${leadId}" failed: ${reason}`, { safeMessage: SAFE_MESSAGE, cause: error });
  if (error instanceof APIUserAbortError) return fail('UPSTREAM_ERROR', 'aborted');
  if (error instanceof APIConnectionTimeoutError) return fail('UPSTREAM_ERROR', 'request timed out (after retries)');
  if (error instanceof APIConnectionError) return fail('UPSTREAM_ERROR', 'could not connect to the Claude API (after retries)');
  if (error instanceof APIError) {
    const detail = `HTTP ${error.status}${error.type ? ` ${error.type}` : ''}${error.apiMessage ? `: ${error.apiMessage}` : ''}`;
    if (error.status === 401 || error.status === 403 || error.status === 404) return fail('CONFIG_ERROR', detail);
    const retried = error.status === 429 || error.status === 529 || (error.status ?? 0) >= 500 ? ' (after retries)' : '';
    return fail('UPSTREAM_ERROR', `${detail}${retried}`);
  }
  return fail('UPSTREAM_ERROR', error instanceof Error ? error.message : String(error));
}

export interface EnrichLeadInput {
  lead: ScorableLead;
  result: ScoreResult;
  rules: RuleSet;
  /** null: mock mode (no API key). */
  client: Anthropic | null;
  model: string;
  signal?: AbortSignal;
  /** Called for every answer received, including one rejected and retried: each is billed. */
  onUsage?: (usage: TokenUsage, costUsd: number | null) => void;
  clock?: () => Date;
}

export async function enrichLead({ lead, result, rules, client, model, signal, onUsage, clock = () => new Date() }: EnrichLeadInput): Promise<Enrichment> {
  const started = performance.now();
  const facts = { leadId: lead.id, inputHash: leadInputHash(lead), rulesVersion: result.rulesVersion, score: result.score };
  const grounding = (output: EnrichmentOutput) => checkNarrative({ lead, result, rules }, output);
  if (!client) {
    const output = mockEnrichmentOutput(result);
    return buildEnrichment({ ...facts, output, source: 'mock', model: MOCK_MODEL, usage: ZERO_USAGE, costUsd: 0, latencyMs: performance.now() - started, enrichedAt: clock(), checks: grounding(output) });
  }

  const request = enrichmentRequest(lead, result, rules, model);
  const params = { ...request, output_config: { ...request.output_config, format: answerFormat } };
  let usage = ZERO_USAGE;
  let costUsd: number | null = 0;
  let reason = '';
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let message;
    try {
      message = await client.messages.parse(params, { signal });
    } catch (error) {
      throw upstreamError(error, lead.id);
    }
    const callUsage = tokenUsage(message.usage);
    const callCost = usageCostUsd(model, callUsage);
    usage = addUsage(usage, callUsage);
    costUsd = costUsd === null || callCost === null ? null : costUsd + callCost;
    onUsage?.(callUsage, callCost);

    const answer = message.stop_reason === 'refusal' || message.stop_reason === 'max_tokens' || !message.parsed_output ? readAnswer(message) : message.parsed_output;
    if (answer.ok) {
      const latencyMs = performance.now() - started;
      return buildEnrichment({ ...facts, output: answer.output, source: 'claude', model, usage, costUsd, latencyMs, enrichedAt: clock(), checks: grounding(answer.output) });
    }
    reason = answer.reason;
  }
  throw new AppError('UPSTREAM_ERROR', `Enrichment of lead "${lead.id}" failed: invalid answer ${MAX_ATTEMPTS} times; last: ${reason}`, {
    safeMessage: SAFE_MESSAGE,
  });
}
