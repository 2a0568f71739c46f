import type { Lead } from '@/lib/lead';
import { createRng } from './dirty-export';

/**
 * A lead file with planted signals, for tune's tests: `plan` "enterprise" converts far more often (a
 * field and value), "team" plans that came from a webinar convert more than the two earn apart (an
 * interaction), descriptions saying "migrating off spreadsheets" convert more (a keyword), and two
 * fields are pure noise (a number and a category drawn independently of the outcome).
 */
export function plantedLeads(count: number, seed: number): Lead[] {
  const rng = createRng(seed);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(rng() * items.length)]!;
  const plans = ['free', 'starter', 'team', 'enterprise'] as const;
  const planEffect = { free: -0.8, starter: 0, team: 0.3, enterprise: 1.6 };
  const sources = ['webinar', 'ads', 'organic'] as const;
  const sourceEffect = { webinar: 0.2, ads: -0.2, organic: 0 };
  return Array.from({ length: count }, (_, i) => {
    const plan = pick(plans);
    const source = pick(sources);
    const spreadsheets = rng() < 0.15;
    let eta = -2.2 + planEffect[plan] + sourceEffect[source] + (plan === 'team' && source === 'webinar' ? 1.5 : 0) + (spreadsheets ? 1.2 : 0);
    eta += (rng() - 0.5) * 0.5;
    const converted = rng() < 1 / (1 + Math.exp(-eta));
    const description = `${pick(['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'])} ${pick(['makes', 'sells', 'builds'])} ${pick(['tools', 'software', 'services'])}.${spreadsheets ? ' The team is migrating off spreadsheets.' : ''}`;
    return {
      id: `p${String(i).padStart(6, '0')}`,
      company_description: description,
      converted,
      attributes: {
        plan,
        source,
        noise_number: Math.round(rng() * 1000) / 10,
        noise_category: pick(['red', 'green', 'blue', 'yellow', 'violet']),
      },
    } as Lead;
  });
}
