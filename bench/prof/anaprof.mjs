/** A .cpuprofile in text: busy time by kind (ours, Node, GC…), self time by function, inclusive time of ours. `node bench/prof/anaprof.mjs PROFILE [TOP-SELF] [TOP-INCLUSIVE]` */
import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map(n => [n.id, n]));
const self = new Map();
const dt = new Map();
for (let i = 0; i < p.samples.length; i++) { const id = p.samples[i]; self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)); }
let total = 0; for (const v of self.values()) total += v;
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const cat = (n) => { const u = n.callFrame.url; if (!u) return n.callFrame.functionName || '(native)'; if (u.includes('/dist/')) return 'ours'; if (u.startsWith('node:')) return 'node'; if (u.includes('node_modules')) return 'deps'; return 'other'; };
const catT = new Map(); const fnT = new Map(); const incl = new Map();
for (const [id, t] of self) {
  const n = byId.get(id); const c = cat(n);
  catT.set(c, (catT.get(c) ?? 0) + t);
  const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*\/dist\//, '').replace('node:internal/', 'n:')}:${n.callFrame.lineNumber + 1}`;
  fnT.set(k, (fnT.get(k) ?? 0) + t);
  // inclusive for each distinct ancestor key
  const seen = new Set(); let cur = id;
  while (cur !== undefined) { const m = byId.get(cur); const kk = `${m.callFrame.functionName || '(anon)'} ${m.callFrame.url.replace(/.*\/dist\//, '').replace('node:internal/', 'n:')}:${m.callFrame.lineNumber + 1}`; if (!seen.has(kk)) { seen.add(kk); incl.set(kk, (incl.get(kk) ?? 0) + t); } cur = parent.get(cur); }
}
const pct = (t) => (100 * t / total).toFixed(1).padStart(5);
console.log('total ms', (total / 1000).toFixed(0));
console.log([...catT].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${pct(v)} ${k}`).join('\n'));
console.log('--- self top');
console.log([...fnT].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 40)).map(([k, v]) => `${pct(v)} ${k}`).join('\n'));
console.log('--- inclusive ours top');
console.log([...incl].filter(([k]) => !k.includes(' n:') && !k.startsWith('(')).sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[4] ?? 50)).map(([k, v]) => `${pct(v)} ${k}`).join('\n'));
