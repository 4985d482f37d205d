/** Two .cpuprofiles side by side: µs per probe by function, B − A, largest first. `node bench/prof/diffprof.mjs A B PROBES x [ROWS]` (PROBES: probes in each run, e.g. 1200). */
import fs from 'node:fs';
function load(f) {
  const p = JSON.parse(fs.readFileSync(f, 'utf8'));
  const byId = new Map(p.nodes.map(n => [n.id, n]));
  const m = new Map();
  for (let i = 0; i < p.samples.length; i++) { const n = byId.get(p.samples[i]); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*\/dist\//, '').replace('node:internal/', 'n:')}:${n.callFrame.lineNumber + 1}`; m.set(k, (m.get(k) ?? 0) + (p.timeDeltas[i] ?? 0)); }
  return m;
}
const [a, b, n = '1200'] = process.argv.slice(2);
const A = load(a), B = load(b);
const keys = new Set([...A.keys(), ...B.keys()]);
const rows = [...keys].map(k => [k, (A.get(k) ?? 0) / Number(n), (B.get(k) ?? 0) / Number(n)]).filter(r => !r[0].startsWith('(idle)'));
let ta = 0, tb = 0; for (const r of rows) { ta += r[1]; tb += r[2]; }
console.log(`busy µs/probe A ${ta.toFixed(0)} B ${tb.toFixed(0)}`);
rows.sort((x, y) => (y[2] - y[1]) - (x[2] - x[1]));
for (const r of rows.slice(0, Number(process.argv[6] ?? 60))) console.log(`${(r[2] - r[1]).toFixed(1).padStart(7)} ${r[1].toFixed(1).padStart(7)} ${r[2].toFixed(1).padStart(7)}  ${r[0]}`);
console.log('most negative'); for (const r of rows.slice(-8)) console.log(`${(r[2] - r[1]).toFixed(1).padStart(7)} ${r[1].toFixed(1).padStart(7)} ${r[2].toFixed(1).padStart(7)}  ${r[0]}`);
