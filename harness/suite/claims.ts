// Every claim of the analysis decided from the phase whose conditions can decide it (the phases
// say which in `decides`): the claims check of reports/claims.ts run on a view of the results
// that holds that phase's scenario and strategies (and the suite's interleavings, for a claim an
// interleave phase decides). A claim whose phase failed is "not measured: phase failed: …".
import { ANALYSIS_CLAIMS, claimText } from '../../reports/analysis.ts';
import { checkClaim } from '../../reports/claims.ts';
import type { ClaimResult, Results, SuitePhaseResult } from '../results/types.ts';

function unrun(p: SuitePhaseResult): string {
  if (p.status === 'failed') return `phase failed: ${p.reason ?? 'no reason recorded'}`;
  if (p.status === 'interrupted') return `phase interrupted${p.reason ? `: ${p.reason}` : ''}`;
  return `phase not run${p.reason ? `: ${p.reason}` : ''}`;
}

export function decideSuiteClaims(results: Results): ClaimResult[] {
  const phases = results.suite?.phases ?? [];
  return ANALYSIS_CLAIMS.map((claim) => {
    const deciders = phases.filter((p) => p.decides.includes(claim.id));
    const base = { id: claim.id, topic: claim.topic, strategies: [...claim.strategies], claim: claimText(claim) };
    if (!deciders.length) {
      const reason = 'no phase of this suite decides it';
      return { ...base, status: 'not measured', reason, evidence: reason, phase: null };
    }
    const name = deciders.map((p) => p.name).join(' + ');
    const broken = deciders.find((p) => p.status !== 'ok');
    if (broken) {
      const reason = unrun(broken);
      return { ...base, status: 'not measured', reason, evidence: `${reason} (phase ${broken.name}).`, phase: name };
    }
    const load = deciders.find((p) => p.strategies);
    const view: Results = {
      ...results,
      run: { ...results.run, scenario: load?.scenario ?? results.run.scenario },
      strategies: load?.strategies ?? [],
      interleavings: deciders.some((p) => p.kind === 'interleave') ? results.interleavings : undefined,
      suite: results.suite && { ...results.suite, phases: load ? [load] : [] },
      claims: undefined,
    };
    const c = checkClaim(view, claim, name);
    return { ...c, evidence: `${c.evidence} [phase ${name}]` };
  });
}
