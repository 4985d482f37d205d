/** Who calls a function in a .cpuprofile, and its inclusive µs per probe under each caller stack. `node bench/prof/callers.mjs PROFILE "functionName" [PROBES]` */
import fs from 'node:fs';
const [f, pat, n = '1200'] = process.argv.slice(2);
const p = JSON.parse(fs.readFileSync(f, 'utf8'));
const byId = new Map(p.nodes.map(x => [x.id, x]));
const parent = new Map(); for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
const selfT = new Map(); for (let i = 0; i < p.samples.length; i++) selfT.set(p.samples[i], (selfT.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
// inclusive time per node
const inc = new Map();
const order = [...p.nodes].reverse();
const kids = new Map(p.nodes.map(x => [x.id, x.children ?? []]));
function incl(id) { if (inc.has(id)) return inc.get(id); let t = selfT.get(id) ?? 0; for (const c of kids.get(id)) t += incl(c); inc.set(id, t); return t; }
const key = (x) => `${x.callFrame.functionName || '(anon)'} ${x.callFrame.url.replace(/.*\/dist\//, '').replace(/.*node_modules\//, '')}:${x.callFrame.lineNumber + 1}`;
const stacks = new Map();
for (const x of p.nodes) if (key(x).includes(pat)) {
  let s = []; let cur = parent.get(x.id); while (cur !== undefined && s.length < 6) { s.push(key(byId.get(cur))); cur = parent.get(cur); }
  const k = s.join(' < ');
  stacks.set(k, (stacks.get(k) ?? 0) + incl(x.id));
}
for (const [k, v] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log((v / Number(n)).toFixed(1).padStart(7), k);
