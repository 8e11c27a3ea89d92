/**
 * Bench section: the cost of the generated endpoint types for a consumer.
 *
 * Builds the package's declarations (`tsconfig.build.json`) into a scratch folder, then type-checks
 * two consumer files against them with `skipLibCheck: false` — one calling a single endpoint, one
 * calling 50 different endpoints (the examples of 50 docs/api pages spread over the catalog) —
 * with the TypeScript compiler in-process, alternating runs and taking medians of CPU time.
 * Goals: 50 endpoints cost ≤ 1.5× one endpoint; the declarations load with no diagnostic.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const RUNS = 4;

type Row = Record<string, string | number>;

function tsc(args: string[]): { ms: number; status: number | null; output: string } {
  const started = performance.now();
  const run = spawnSync(process.execPath, [TSC, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ms: performance.now() - started, status: run.status, output: `${run.stdout}${run.stderr}` };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The example functions of the generated pages, in catalog order. */
function exampleFunctions(): string[] {
  const dir = join(ROOT, 'docs/api/examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').match(/^\/\*\* .*\*\/\nexport async function [\s\S]*?^\}$/gm) ?? []);
}

function consumer(functions: readonly string[]): string {
  return `import type { WeChatPayClient } from '../dist/index.js';\n\n${functions.join('\n\n')}\n`;
}

export default async () => {
  // inside node_modules so the declarations resolve undici, jose… from the project's node_modules
  const cache = join(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const scratch = mkdtempSync(join(cache, 'bench-types-'));
  try {
    const build = tsc(['-p', 'tsconfig.build.json', '--outDir', join(scratch, 'dist')]);
    if (build.status !== 0) throw new Error(`building the declarations failed:\n${build.output.slice(0, 2000)}`);

    const all = exampleFunctions();
    const seed = all.find((f) => f.includes('POST v3/ecommerce/refunds/{refund_id}/return-advance ')) ?? all[0]!;
    const step = all.length / 50;
    const fifty = Array.from({ length: 50 }, (_, i) => all[Math.floor(i * step)]!);
    const consumerDir = join(scratch, 'consumer');
    mkdirSync(consumerDir);
    writeFileSync(join(consumerDir, 'one.ts'), consumer([seed]));
    writeFileSync(join(consumerDir, 'fifty.ts'), consumer(fifty));
    const options: ts.CompilerOptions = {
      noEmit: true,
      strict: true,
      skipLibCheck: false,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2023,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
    };
    // in-process, measured in CPU time: wall time on a shared machine says more about the neighbours
    const check = (file: string, extra: ts.CompilerOptions = {}) => {
      const cpu = process.cpuUsage();
      const program = ts.createProgram({ rootNames: [join(consumerDir, file)], options: { ...options, ...extra } });
      const diagnostics = ts.getPreEmitDiagnostics(program);
      const used = process.cpuUsage(cpu);
      return { ms: (used.user + used.system) / 1000, diagnostics: diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')) };
    };

    check('one.ts'); // warm-up: the compiler's own code gets optimized once, not in the first sample
    const one: number[] = [];
    const many: number[] = [];
    const skipping: number[] = [];
    let diagnostics: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      // alternate which file goes first, so garbage left by the previous program is charged evenly
      const [a, b] = i % 2 === 0 ? [check('one.ts'), check('fifty.ts')] : ((r) => [r[1], r[0]] as const)([check('fifty.ts'), check('one.ts')]);
      diagnostics = [...diagnostics, ...a.diagnostics, ...b.diagnostics];
      one.push(a.ms);
      many.push(b.ms);
      skipping.push(check('fifty.ts', { skipLibCheck: true }).ms);
    }
    const ratio = median(many) / median(one);
    const rows: Row[] = [
      { measure: 'build declarations (tsc -p tsconfig.build.json)', ms: Math.round(build.ms) },
      { measure: 'consumer calling 1 endpoint (skipLibCheck false), median CPU', ms: Math.round(median(one)) },
      { measure: `consumer calling 50 endpoints (${fifty.length} pages' examples), median CPU`, ms: Math.round(median(many)) },
      { measure: 'consumer calling 50 endpoints with skipLibCheck true, median CPU', ms: Math.round(median(skipping)) },
      { measure: 'ratio 50 / 1 (skipLibCheck false)', ms: Number(ratio.toFixed(2)) },
    ];
    return {
      title: 'Generated endpoint types: consumer type-check cost',
      rows,
      goals: [
        { name: 'type-check 50 endpoints vs 1', value: `${ratio.toFixed(2)}×`, target: '≤ 1.5×', pass: ratio <= 1.5 },
        {
          name: 'dist declarations load without skipLibCheck',
          value: diagnostics.length === 0 ? 'no diagnostics' : `${diagnostics.length}: ${diagnostics[0]}`,
          target: 'no diagnostics',
          pass: diagnostics.length === 0,
        },
      ],
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
};
