import type { Lead } from '@/lib/lead';
import { createRng } from './dirty-export';

/**
 * Leads for the drift tests: a plan (four values), a channel (four values) and a noise number. The outcome
 * is driven by one of them: `driver: 'plan'` (the funnel the rules were tuned on) or `driver: 'channel'`
 * (the funnel moved to a field the rules ignore). `planShares` skews the plan mix (a distribution shift);
 * `outcomes: false` leaves the outcome out (a fresh funnel).
 */
export interface DriftLeadOptions {
  driver: 'plan' | 'channel';
  planShares?: readonly [number, number, number, number];
  outcomes?: boolean;
  prefix?: string;
}

const PLANS = ['free', 'starter', 'team', 'enterprise'] as const;
const PLAN_EFFECT = { free: -1.2, starter: -0.2, team: 0.6, enterprise: 1.8 };
const CHANNELS = ['partner', 'event', 'ads', 'organic'] as const;
const CHANNEL_EFFECT = { partner: 2.2, event: 0.9, ads: -0.9, organic: -0.2 };

export function driftLeads(count: number, seed: number, { driver, planShares = [0.25, 0.25, 0.25, 0.25], outcomes = true, prefix = 'd' }: DriftLeadOptions): Lead[] {
  const rng = createRng(seed);
  const pickPlan = () => {
    let u = rng();
    for (let i = 0; i < PLANS.length; i++) {
      u -= planShares[i]!;
      if (u < 0) return PLANS[i]!;
    }
    return PLANS[PLANS.length - 1]!;
  };
  return Array.from({ length: count }, (_, i) => {
    const plan = pickPlan();
    const channel = CHANNELS[Math.floor(rng() * CHANNELS.length)]!;
    const eta = -2 + (driver === 'plan' ? PLAN_EFFECT[plan] : CHANNEL_EFFECT[channel]) + (rng() - 0.5) * 0.4;
    const converted = rng() < 1 / (1 + Math.exp(-eta));
    const lead: Record<string, unknown> = {
      id: `${prefix}${String(i).padStart(6, '0')}`,
      attributes: { plan, channel, noise: Math.round(rng() * 1000) / 10 },
    };
    if (outcomes) lead.converted = converted;
    return lead as unknown as Lead;
  });
}
