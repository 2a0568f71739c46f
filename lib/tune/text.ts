import { MAX_MATCHED_CHARS } from '../pattern';
import { normalizeTitle } from '../scoring';

/**
 * Free text as keyword rules see it: the engine folds punctuation to spaces (`normalizeTitle`) and matches
 * the first `MAX_MATCHED_CHARS` characters, so the words and two-word phrases counted here are exactly what
 * a `keyword_tiers` pattern made by `termPattern` would match. Phrases never span a comma.
 */

/** Every word and two-word phrase of a text, in order, repeats included. */
export function textTerms(text: string): string[] {
  const normalized = normalizeTitle(text).slice(0, MAX_MATCHED_CHARS);
  const terms: string[] = [];
  for (const segment of normalized.split(',')) {
    const words = segment.split(' ').filter(Boolean);
    for (let i = 0; i < words.length; i++) {
      terms.push(words[i]!);
      if (i > 0) terms.push(`${words[i - 1]} ${words[i]}`);
    }
  }
  return terms;
}

const ASCII_EDGES = /^[a-z0-9].*[a-z0-9]$|^[a-z0-9]$/;

/**
 * The RE2 pattern that matches a term where `textTerms` finds it. `\b` is an ASCII word boundary in RE2,
 * so a term that starts or ends with another letter (é, ç, ß) is bounded by spaces or commas instead.
 */
export function termPattern(term: string): string {
  return ASCII_EDGES.test(term) ? `\\b${term}\\b` : `(?:^|[\\s,])${term}(?:[\\s,]|$)`;
}

/** The term a single pattern of `termPattern` matches, if that is what it is. */
export function termOf(patterns: readonly string[]): string | undefined {
  if (patterns.length !== 1) return undefined;
  const match = /^\\b([\p{L}\p{N} ]+)\\b$|^\(\?:\^\|\[\\s,\]\)([\p{L}\p{N} ]+)\(\?:\[\\s,\]\|\$\)$/u.exec(patterns[0]!);
  const term = match?.[1] ?? match?.[2];
  // Terms are lower case (the engine matches ignoring case, `textTerms` lower-cases).
  return term !== undefined && term === term.toLowerCase() && termPattern(term) === patterns[0] ? term : undefined;
}
