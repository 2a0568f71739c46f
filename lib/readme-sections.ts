import { DEFAULT_RULES } from './default-rules';
import { rulesMarkdownTable } from './rules-doc';
import { LATENT_MODEL_DESCRIPTION } from './synthetic';

/**
 * README sections generated from code, so the docs cannot drift: `npm run docs` rewrites them between
 * their markers and tests/readme.test.ts fails when the README is out of date.
 */
export const README_SECTIONS: Record<string, () => string> = {
  'default-rules': () => rulesMarkdownTable(DEFAULT_RULES),
  'latent-model': () => LATENT_MODEL_DESCRIPTION,
};

export function markers(name: string): { start: string; end: string } {
  return { start: `<!-- generated:${name}:start (npm run docs) -->`, end: `<!-- generated:${name}:end -->` };
}

/** The README with every generated section replaced by its current content. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(README_SECTIONS)) {
    const { start, end } = markers(name);
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from === -1 || to === -1 || to < from) throw new Error(`README is missing the markers of the generated section "${name}"`);
    out = `${out.slice(0, from + start.length)}\n${render().trim()}\n${out.slice(to)}`;
  }
  return out;
}
