/**
 * An allocation sample (measured.cjs, PROFILE=heap) in text: kB a probe in all, by file of
 * ours, and by function of ours — what Node or a builtin allocated for it counted to the
 * nearest function of ours below it (`line <- push`: the array growth `line` caused).
 * `node bench/prof/allocs.mjs PROFILE [PROBES=1000] [ROWS=40]`
 */
import fs from 'node:fs';
const [file, probes = '1000', rows = '40'] = process.argv.slice(2);
const p = JSON.parse(fs.readFileSync(file, 'utf8'));
const kb = (bytes) => (bytes / Number(probes) / 1024).toFixed(2).padStart(7);
const place = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*\/dist\//, '').replace('node:internal/', 'n:')}:${n.callFrame.lineNumber + 1}`;
const byFile = new Map();
const byFunction = new Map();
let total = 0;
function walk(node, ours) {
  const url = node.callFrame.url;
  const mine = url.includes('/dist/') ? { file: url.replace(/.*\/dist\//, ''), fn: place(node) } : null;
  const owner = mine ?? ours;
  if (node.selfSize) {
    total += node.selfSize;
    const f = owner?.file ?? '(none of ours)';
    byFile.set(f, (byFile.get(f) ?? 0) + node.selfSize);
    const k = mine ? mine.fn : `${owner?.fn ?? '(none of ours)'}  <- ${node.callFrame.functionName || '(anon)'}`;
    byFunction.set(k, (byFunction.get(k) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, owner);
}
walk(p.head, null);
console.log(`${kb(total)} kB a probe in all`);
console.log('--- by file');
for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(kb(v), k);
console.log('--- by function');
for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) console.log(kb(v), k);
