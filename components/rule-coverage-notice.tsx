import type { RuleCoverageReport } from '@/lib/rule-coverage';
import { formatInt, formatPct } from './format';

/**
 * The rules that read a field (almost) no lead has: they score every lead "unknown" and add nothing, which
 * no other number on the page shows. Nothing is rendered when every rule reads its fields.
 */
export function RuleCoverageNotice({ report }: { report: RuleCoverageReport }) {
  if (report.lowRules.length === 0) return null;
  const tone = report.readsNothing ? 'border-rose-200 bg-rose-50 text-rose-900' : 'border-amber-200 bg-amber-50 text-amber-900';
  return (
    <section id="rule-coverage" aria-labelledby="rule-coverage-title" className={`rounded-md border px-4 py-3 text-sm ${tone}`} data-testid="rule-coverage">
      <h2 id="rule-coverage-title" className="font-medium">
        {report.readsNothing
          ? 'These rules read no field this data has: every lead gets (nearly) the same score'
          : `${report.lowRules.length} ${report.lowRules.length === 1 ? 'rule reads' : 'rules read'} a field fewer than 5% of leads have`}
      </h2>
      <ul className="mt-1 list-disc space-y-0.5 pl-5 text-xs">
        {report.lowRules.map((rule) => (
          <li key={rule.ruleId} data-testid="rule-coverage-row" data-rule={rule.ruleId}>
            <span className="font-medium">{rule.label}</span>{' '}
            {rule.fields
              .filter((f) => f.share === null || f.share < 0.05)
              .map((f) => (
                <span key={f.field}>
                  reads <code className="font-mono">{f.field}</code>, which {formatInt(f.leads)} of {formatInt(report.total)} leads have ({formatPct(f.share)})
                  {f.didYouMean && (
                    <>
                      {' '}
                      — did you mean <code className="font-mono">{f.didYouMean}</code>?
                    </>
                  )}
                </span>
              ))}
          </li>
        ))}
      </ul>
      {report.readsNothing && (
        <p className="mt-2 text-xs">
          Fit rules to this data: <code className="font-mono">npm run tune -- --leads FILE --out suggested.rules.json</code>, review the report, then load the file with{' '}
          <code className="font-mono">SCORING_RULES</code>.
        </p>
      )}
    </section>
  );
}
