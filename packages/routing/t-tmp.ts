import { readFileSync } from 'node:fs';
import { createRouter, loadDirectory } from './src/index.ts';
const r = createRouter(loadDirectory(), { triageThreshold: 0.5 });
for (const l of readFileSync(process.argv[2]!, 'utf8').split('\n').filter(Boolean)) {
  const o = JSON.parse(l);
  const d = r.decide(o);
  if (d.opd !== o.opd || (process.argv[3] === 'all' && d.triage)) console.log(`${o.id} exp=${o.opd} got=${d.opd} c=${d.confidence} | ${o.text}\n    ${d.reasons.join(' ; ')}`);
}
