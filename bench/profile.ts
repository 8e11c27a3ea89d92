/**
 * Summarises .cpuprofile files (from `npm run bench -- --cpu-prof`): self time by function,
 * and total (inclusive) time of this package's own functions.
 *
 *   npx tsx bench/profile.ts bench/results/profiles/*.cpuprofile [--top=40]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 40);
const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;

const where = (node: Node) => {
  const url = node.callFrame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/');
  return `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
};

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id) as Node;
    if (node.callFrame.functionName === '(idle)') return;
    all += dt;
    self.set(where(node), (self.get(where(node)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at) as Node;
      if (!n.callFrame.url.includes('/dist/')) continue;
      const key = where(n);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + dt);
    }
  });
}

const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (ms, % of ${all.toFixed(0)} ms busy)`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms.toFixed(1).padStart(9)} ${((ms / all) * 100).toFixed(1).padStart(5)}%  ${key}`);
};
print('self time', self);
print('inclusive time of dist/ functions', total);
