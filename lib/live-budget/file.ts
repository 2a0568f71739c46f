import 'server-only';
import { z } from 'zod';
import { AppError } from '../errors';
import { withFileLock } from '../file-lock';
import { writeFileAtomic } from '../fs-atomic';
import { readOptionalJsonFile } from '../json-file';
import { budgetStatus, reserveIn, settleIn, utcDay, type LiveBudget, type LiveBudgetLimits, type LiveBudgetUse } from './budget';

/**
 * The daily budget of the file store: a small JSON file beside the enrichments
 * (`<ENRICHMENTS_PATH>.live-budget.json`), read and rewritten under its own lock for each reserve and
 * settle, so every process on the machine (a second `next start`, a dev server) draws on one budget.
 */

const LABEL = 'Live budget file';

const budgetFileSchema = z
  .object({
    version: z.literal(1),
    day: z.iso.date(),
    calls: z.number().int().nonnegative(),
    usd: z.number().nonnegative().finite(),
  })
  .strict();

export function liveBudgetPath(enrichmentsPath: string): string {
  return `${enrichmentsPath}.live-budget.json`;
}

export function createFileLiveBudget(path: string, limits: LiveBudgetLimits): LiveBudget {
  async function read(): Promise<LiveBudgetUse | null> {
    const raw = await readOptionalJsonFile(path, { label: LABEL });
    if (raw === undefined) return null;
    const parsed = budgetFileSchema.safeParse(raw);
    // Fail closed: a budget that cannot be read is not a budget of zero.
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError('STORE_ERROR', `${LABEL} ${path} is invalid (field ${issue.path.join('.') || '(root)'}: ${issue.message}); fix or delete it`, {
        safeMessage: 'The live enrichment budget cannot be read.',
      });
    }
    const { day, calls, usd } = parsed.data;
    return { day, calls, usd };
  }
  const write = (use: LiveBudgetUse) => writeFileAtomic(path, `${JSON.stringify({ version: 1, ...use }, null, 2)}\n`);

  return {
    reserve: (worstCaseUsd, now = new Date()) =>
      withFileLock(path, async () => {
        const stored = await read();
        const { use, decision } = reserveIn(stored, limits, worstCaseUsd, now);
        if (decision.allowed) await write(use);
        return decision;
      }),

    settle: (reservation, actualUsd) =>
      withFileLock(path, async () => {
        const stored = await read();
        const settled = settleIn(stored, reservation, actualUsd);
        if (settled && settled !== stored) await write(settled);
        return budgetStatus(settled ?? { day: utcDay(new Date()), calls: 0, usd: 0 }, limits);
      }),
  };
}
