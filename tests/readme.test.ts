import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '@/lib/default-rules';
import { envSchema } from '@/lib/env';
import { LEAD_FIELD_NAMES } from '@/lib/lead-fields';
import { RULE_KIND_EXAMPLES } from '@/lib/rule-kind-examples';
import { ruleFields, ruleSchema, safeParseRuleSet } from '@/lib/rules';
import { markers, renderReadme } from '@/lib/readme-sections';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('generated sections match the code (run `npm run docs` after changing rules or the generator)', () => {
    expect(renderReadme(readme)).toBe(readme);
  });

  it('lists every default rule with its maximum points', () => {
    const { start, end } = markers('default-rules');
    const table = readme.slice(readme.indexOf(start), readme.indexOf(end));
    for (const rule of DEFAULT_RULES.rules) expect(table).toContain(`| ${rule.label} | \`${ruleFields(rule)[0]}\` |`);
  });

  it('lists every lead field of the lead-field table', () => {
    const { start, end } = markers('lead-fields');
    const table = readme.slice(readme.indexOf(start), readme.indexOf(end));
    for (const field of LEAD_FIELD_NAMES) expect(table).toContain(`| \`${field}\` |`);
  });

  it('documents every rule kind with an example that passes validation', () => {
    const kinds = ruleSchema.options.map((o) => o.shape.kind.value);
    expect(RULE_KIND_EXAMPLES.map((e) => e.kind).sort()).toEqual([...kinds].sort());
    for (const { rule } of RULE_KIND_EXAMPLES) {
      const parsed = safeParseRuleSet({ name: 'x', tiers: { hot: 75, warm: 45 }, categories: [{ id: rule.category, label: 'F', cap: 100 }], rules: [rule] });
      expect(parsed.ok, `${rule.kind}: ${JSON.stringify(parsed)}`).toBe(true);
      expect(readme).toContain(`#### \`${rule.kind}\``);
    }
  });

  it('starts with the two fresh-machine commands', () => {
    const firstLines = readme.split('\n').slice(0, 25).join('\n');
    expect(firstLines).toContain('npm ci && npm run build && npm start');
    expect(firstLines).toContain('npm run test:all');
  });
});

describe('configuration docs', () => {
  const example = readFileSync('.env.example', 'utf8');
  const start = readme.indexOf('\n## Configuration');
  const table = readme.slice(start, readme.indexOf('\n## ', start + 1));

  it('name every variable of the env schema, in the README table and in .env.example', () => {
    for (const name of Object.keys(envSchema.shape)) {
      expect(table, `README configuration table: ${name}`).toContain(`\`${name}\``);
      expect(example, `.env.example: ${name}`).toMatch(new RegExp(`^${name}=`, 'm'));
    }
  });
});
