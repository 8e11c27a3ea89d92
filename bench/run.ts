/**
 * `npm run bench`: wechatpay-chain side by side with wechatpay-axios-plugin, a bare undici request
 * (transport floor) and sign + verify alone (crypto floor), against a loopback WeChat Pay stand-in.
 *
 *   npm run bench                     # full run (~6–8 min on 2 cores), writes the README chart
 *   npm run bench -- --quick          # one short round, to check the harness
 *   (--quick, --only, --sections and --no-sections write bench/results/quick.json and leave the committed results and chart alone)
 *   npm run bench -- --cpu-prof       # also write .cpuprofile files of the wechatpay-chain process
 *   npm run bench -- --rounds=3 --duration=2000 --only=chain,floor --no-build
 *   npm run bench -- --only=chain,plain,floor --no-sections   # the clients only, no media/types/… sections
 *   npm run bench -- --stand-in=http  # the stand-in on node:http instead of prebuilt answers on raw sockets
 *   npm run bench -- --sections=sandbox,media   # those bench/sections/*.ts alone: no clients, no build
 *
 * Each client runs in its own process; the order of clients changes every round (A/B alternation)
 * and the report gives medians over the rounds, so a noisy neighbour hurts every client alike.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadedBy, type Metafile } from '../scripts/bundle-meta.js';
import { importMs } from './lib/imports.js';
import { child, nextMessage, startStandIn } from './lib/processes.js';
import { fmt, median, ratio } from './lib/stats.js';
import { throughputSvg, type Series } from './lib/svg.js';
import { KINDS, LABELS, type Kind, type LevelResult, type LoadOrder, type RoundResult, type Workload } from './lib/workload.js';
import type { StandInStats } from './stand-in.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const LEVELS = [1, 8, 32, 128];
const GOAL_LEVEL = 32;
/** Offered load of the event-loop delay phase: one every client sustains on 2 cores. */
const RATE = 200;

/** What a bench section (bench/sections/*.ts, default export) returns. */
export interface SectionReport {
  title: string;
  rows: Array<Record<string, string | number>>;
  goals: Goal[];
}
interface Goal {
  name: string;
  value: string;
  target: string;
  pass: boolean;
}

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const quick = flag('quick');
const settings = {
  quick,
  rounds: Number(option('rounds') ?? (quick ? 1 : 4)),
  warmupMs: Number(option('warmup') ?? (quick ? 300 : 700)),
  durationMs: Number(option('duration') ?? (quick ? 1000 : 2000)),
  allocationRequests: quick ? 500 : 2000,
  importRuns: quick ? 3 : 9,
  kinds: (option('only')?.split(',') ?? [...KINDS]).filter((k): k is Kind => (KINDS as readonly string[]).includes(k)),
  cpuProf: flag('cpu-prof'),
  /** The stand-in's server: `net` (prebuilt answers, little CPU) or `http` (node:http). */
  standIn: option('stand-in') === 'http' ? ('http' as const) : ('net' as const),
};
/** Only a full run of every client replaces the committed results and chart. */
const partial = quick || option('only') !== undefined || option('sections') !== undefined || flag('no-sections');
/** `--sections=a,b`: only these sections (file names without `.ts`), and nothing else. */
const onlySections = option('sections')?.split(',').filter(Boolean);

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  return [line(headers), `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function runClient(kind: Kind, workload: Workload): Promise<RoundResult> {
  const profile = settings.cpuProf && kind === 'chain' ? ['--cpu-prof', `--cpu-prof-dir=${join(HERE, 'results', 'profiles')}`] : [];
  const proc = child('load.ts', profile);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const answer = nextMessage<{ result?: RoundResult; error?: string }>(proc, `the ${kind} client`);
  const order: LoadOrder = {
    kind,
    workload,
    levels: LEVELS,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    allocationRequests: settings.allocationRequests,
    rate: RATE,
  };
  proc.send(order);
  const { result, error } = await answer;
  await exited;
  if (!result) throw new Error(`${LABELS[kind]} failed: ${error ?? 'no result'}`);
  return result;
}

async function runSections(): Promise<SectionReport[]> {
  const folder = join(HERE, 'sections');
  const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort() : [];
  if (onlySections) {
    const unknown = onlySections.filter((name) => !files.includes(`${name}.ts`));
    if (unknown.length) throw new Error(`--sections: no bench/sections/${unknown[0]}.ts (there are ${files.map((f) => f.slice(0, -3)).join(', ')})`);
  }
  const reports: SectionReport[] = [];
  for (const file of files.filter((f) => !onlySections || onlySections.includes(f.slice(0, -3)))) {
    try {
      const mod = (await import(pathToFileURL(join(folder, file)).href)) as { default: (options: { quick: boolean }) => Promise<SectionReport> };
      reports.push(await mod.default({ quick }));
    } catch (error) {
      reports.push({
        title: `${file} (failed)`,
        rows: [{ error: error instanceof Error ? error.message : String(error) }],
        goals: [{ name: `${file} ran`, value: 'failed', target: 'runs', pass: false }],
      });
    }
  }
  return reports;
}

function printSection(section: SectionReport): void {
  console.log(`\n## ${section.title}\n`);
  const headers = [...new Set(section.rows.flatMap((r) => Object.keys(r)))];
  console.log(section.rows.length ? table(headers, section.rows.map((r) => headers.map((h) => (typeof r[h] === 'number' ? fmt(r[h] as number) : String(r[h] ?? ''))))) : '(no rows)');
}

/** `--sections=…`: the named sections alone (lib/ through tsx, so no build), their goals, quick.json. */
async function sectionsOnly(): Promise<void> {
  const started = Date.now();
  const load0 = loadavg()[0] as number;
  const sections = await runSections();
  for (const section of sections) printSection(section);
  const goals = sections.flatMap((s) => s.goals);
  console.log('\n## Goals\n');
  for (const goal of goals) console.log(`${goal.pass ? 'PASS' : 'FAIL'}  ${goal.name}: ${goal.value} (target ${goal.target})`);
  const elapsed = (Date.now() - started) / 1000;
  console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.versions.node}, load average ${load0.toFixed(2)} → ${(loadavg()[0] as number).toFixed(2)}, ${elapsed.toFixed(0)} s`);
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.versions.node, loadAverage: [load0, loadavg()[0]] },
    settings: { ...settings, sections: onlySections },
    goals,
    sections,
    seconds: elapsed,
  };
  mkdirSync(join(HERE, 'results'), { recursive: true });
  const jsonFile = join(HERE, 'results', 'quick.json');
  writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${jsonFile}`);
}

async function main(): Promise<void> {
  if (onlySections) return sectionsOnly();
  const started = Date.now();
  const load0 = loadavg()[0] as number;
  if (!flag('no-build')) {
    console.log('building dist/ (npm run build) …');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error('npm run build failed');
  }

  const standIn = await startStandIn(settings.standIn);
  const { workload } = standIn;

  const rounds: Record<Kind, RoundResult[]> = { chain: [], axios: [], plain: [], undici: [], floor: [] };
  let standInStats: StandInStats;
  try {
    for (let round = 0; round < settings.rounds; round++) {
      const order = settings.kinds.map((_, i) => settings.kinds[(i + round) % settings.kinds.length] as Kind);
      if (round % 2 === 1) order.reverse();
      console.log(`round ${round + 1}/${settings.rounds}: ${order.join(' → ')}`);
      for (const kind of order) rounds[kind].push(await runClient(kind, workload));
    }
  } finally {
    const stats = nextMessage<{ stats: StandInStats }>(standIn.proc, 'the stand-in');
    standIn.proc.send({ stats: true, stop: true });
    standInStats = (await stats).stats;
  }

  console.log('import times …');
  const imports = { chain: [] as number[], axios: [] as number[], empty: [] as number[] };
  for (let i = 0; i < settings.importRuns; i++) {
    imports.chain.push(importMs('wechatpay-chain', ROOT));
    imports.axios.push(importMs('wechatpay-axios-plugin', ROOT));
    // node's own cost of loading one ES module: tells how slow the machine is right now
    imports.empty.push(importMs('data:text/javascript,export{}', ROOT));
  }
  // dist/ is one bundle with shared chunks (scripts/build.ts); its metafile says which sources
  // the JavaScript a static import evaluates came from
  const loaded = loadedBy(JSON.parse(readFileSync(join(ROOT, 'dist', 'meta.json'), 'utf8')) as Metafile, 'dist/index.js');
  const catalogBytes = [...loaded.inputs].reduce((sum, [input, bytes]) => (input.startsWith('lib/openapi/') ? sum + bytes : sum), 0);
  const loadedBytes = [...loaded.outputs.values()].reduce((a, b) => a + b, 0);

  const sections = flag('no-sections') ? [] : await runSections();

  // medians over rounds
  const summary = Object.fromEntries(
    settings.kinds.map((kind) => {
      const levels = LEVELS.map((concurrency) => {
        const runs = rounds[kind].map((r) => r.levels.find((l) => l.concurrency === concurrency) as LevelResult);
        const pick = (key: keyof LevelResult) => median(runs.map((r) => r[key]));
        return {
          concurrency,
          rps: pick('rps'),
          cpuMs: pick('cpuMs'),
          p50Ms: pick('p50Ms'),
          p99Ms: pick('p99Ms'),
          eldP99Ms: pick('eldP99Ms'),
          rounds: runs.map((r) => Math.round(r.rps)),
          cpuRounds: runs.map((r) => r.cpuMs),
        };
      });
      return [
        kind,
        {
          label: LABELS[kind],
          levels,
          eldAtRateMs: median(rounds[kind].map((r) => r.eldAtRateMs)),
          heapBytesPerRequest: median(rounds[kind].map((r) => r.heapBytesPerRequest)),
        },
      ];
    }),
  ) as Record<Kind, { label: string; levels: Array<LevelResult & { rounds: number[]; cpuRounds: number[] }>; eldAtRateMs: number; heapBytesPerRequest: number }>;
  const at = (kind: Kind, concurrency = GOAL_LEVEL) => summary[kind]?.levels.find((l) => l.concurrency === concurrency);

  const throughputRatio = (at('chain')?.rps ?? Number.NaN) / (at('axios')?.rps ?? Number.NaN);
  const cpuRatio = (at('chain')?.cpuMs ?? Number.NaN) / (at('floor')?.cpuMs ?? Number.NaN);
  const eld = summary.chain?.eldAtRateMs ?? Number.NaN;
  // the same ratios round by round (clients of one round ran back to back): how wide the noise is
  const byRound = (a: Kind, b: Kind, key: 'rounds' | 'cpuRounds') => {
    const x = at(a)?.[key] ?? [];
    const y = at(b)?.[key] ?? [];
    return x.map((v, i) => v / (y[i] ?? Number.NaN)).filter(Number.isFinite);
  };
  const importChain = median(imports.chain);
  const goals: Goal[] = [
    { name: `throughput at concurrency ${GOAL_LEVEL} vs wechatpay-axios-plugin`, value: ratio(throughputRatio), target: '≥ 3.00×', pass: throughputRatio >= 3 },
    { name: `client CPU per request at concurrency ${GOAL_LEVEL} vs crypto floor`, value: ratio(cpuRatio), target: '≤ 1.25×', pass: cpuRatio <= 1.25 },
    { name: `event-loop delay p99 at ${RATE} requests/s`, value: `${fmt(eld)} ms`, target: '< 5 ms', pass: eld < 5 },
    { name: "import time of 'wechatpay-chain' (cold node process)", value: `${fmt(importChain)} ms`, target: '≤ 50 ms', pass: importChain <= 50 },
    {
      name: 'typed catalog runtime JS loaded by the import',
      value: `${catalogBytes} B`,
      target: '≤ 1 KiB',
      pass: catalogBytes <= 1024,
    },
    ...sections.flatMap((s) => s.goals),
  ];

  // the report
  const kinds = settings.kinds;
  const rows = (fn: (kind: Kind) => string[]) => kinds.map((kind) => [summary[kind].label, ...fn(kind)]);
  console.log(`\n## Throughput, requests/s (median of ${settings.rounds} round${settings.rounds === 1 ? '' : 's'})\n`);
  console.log(table(['client', ...LEVELS.map((c) => `c=${c}`)], rows((k) => LEVELS.map((c) => fmt(at(k, c)?.rps ?? Number.NaN)))));
  console.log(`\n## Cost per request at concurrency ${GOAL_LEVEL}\n`);
  console.log(
    table(
      ['client', 'CPU ms/req', 'p50 ms', 'p99 ms', 'loop delay p99 ms', `loop delay p99 ms @${RATE}/s`, 'heap B/req'],
      rows((k) => [
        fmt(at(k)?.cpuMs ?? Number.NaN),
        fmt(at(k)?.p50Ms ?? Number.NaN),
        fmt(at(k)?.p99Ms ?? Number.NaN),
        fmt(at(k)?.eldP99Ms ?? Number.NaN),
        fmt(summary[k].eldAtRateMs),
        fmt(summary[k].heapBytesPerRequest),
      ]),
    ),
  );
  console.log('\n## Latency p50 / p99 ms, CPU ms/req and loop delay p99 ms by concurrency\n');
  console.log(
    table(
      ['client', ...LEVELS.map((c) => `c=${c}`)],
      rows((k) => LEVELS.map((c) => { const l = at(k, c); return l ? `${fmt(l.p50Ms)} / ${fmt(l.p99Ms)}, ${fmt(l.cpuMs)}, ${fmt(l.eldP99Ms)}` : '–'; })),
    ),
  );
  console.log('\n## Import\n');
  console.log(
    table(
      ['package', 'cold import ms (median)'],
      [
        ['wechatpay-chain (dist/index.js)', fmt(importChain)],
        ['wechatpay-axios-plugin', fmt(median(imports.axios))],
        ['an empty ES module (loader baseline)', fmt(median(imports.empty))],
      ],
    ),
  );
  console.log(`runtime JS loaded by import 'wechatpay-chain': ${loaded.outputs.size} files (${loaded.inputs.size} sources), ${fmt(loadedBytes / 1024)} KiB; typed catalog: ${catalogBytes} B`);
  for (const section of sections) printSection(section);
  console.log('\n## Goals\n');
  for (const goal of goals) console.log(`${goal.pass ? 'PASS' : 'FAIL'}  ${goal.name}: ${goal.value} (target ${goal.target})`);
  const spread = (xs: number[]) => (xs.length ? xs.map(ratio).join(', ') : '–');
  console.log(`\nround by round: throughput vs the peer ${spread(byRound('chain', 'axios', 'rounds'))}; CPU vs the crypto floor ${spread(byRound('chain', 'floor', 'cpuRounds'))}`);
  // what the CPU goal leaves to the client is shared with HTTP itself: the same ratio for a
  // hand-written undici client with the same signing, and a bare request's CPU against the floor
  const plainRatio = (at('plain')?.cpuMs ?? Number.NaN) / (at('floor')?.cpuMs ?? Number.NaN);
  const transportShare = (at('undici')?.cpuMs ?? Number.NaN) / (at('floor')?.cpuMs ?? Number.NaN);
  console.log(`for reference at c=${GOAL_LEVEL}: plain undici + thread-pool signing vs crypto floor ${ratio(plainRatio)} CPU; a bare undici request (no signing) costs ${fmt(transportShare * 100)}% of the floor's CPU`);
  console.log(`\nstand-in (${settings.standIn}): ${standInStats.requests} requests, ${standInStats.checked} Authorization headers checked, ${standInStats.bad} bad; ${fmt(standInStats.cpuMs / Math.max(1, standInStats.requests) * 1000)} µs CPU/request`);
  const elapsed = (Date.now() - started) / 1000;
  console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.versions.node}, load average ${load0.toFixed(2)} → ${(loadavg()[0] as number).toFixed(2)}, ${elapsed.toFixed(0)} s`);

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.versions.node, loadAverage: [load0, loadavg()[0]] },
    settings,
    clients: summary,
    imports: { chainMs: importChain, axiosMs: median(imports.axios), emptyModuleMs: median(imports.empty), runs: imports },
    runtimeJs: { files: loaded.outputs.size, sources: loaded.inputs.size, bytes: loadedBytes, catalogBytes },
    standIn: { server: settings.standIn, ...standInStats },
    goals,
    reference: {
      throughputRatioByRound: byRound('chain', 'axios', 'rounds'),
      cpuRatioByRound: byRound('chain', 'floor', 'cpuRounds'),
      plainCpuVsFloor: plainRatio,
      bareRequestCpuShareOfFloor: transportShare,
    },
    sections,
    seconds: elapsed,
  };
  mkdirSync(join(HERE, 'results'), { recursive: true });
  const jsonFile = join(HERE, 'results', partial ? 'quick.json' : 'latest.json');
  writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${jsonFile}`);
  if (!partial) {
    const colors: Record<Kind, [string, string?]> = { chain: ['#07c160'], axios: ['#5b6cff'], plain: ['#b197fc', '8 3'], undici: ['#999999', '6 4'], floor: ['#e8590c', '2 4'] };
    const series: Series[] = kinds.map((kind) => ({
      label: summary[kind].label,
      color: colors[kind][0],
      ...(colors[kind][1] ? { dash: colors[kind][1] } : {}),
      points: summary[kind].levels.map((l) => ({ x: l.concurrency, y: l.rps })),
    }));
    const svgFile = join(ROOT, 'docs', 'bench', 'throughput.svg');
    mkdirSync(join(ROOT, 'docs', 'bench'), { recursive: true });
    writeFileSync(
      svgFile,
      throughputSvg(
        'POST return-advance against a loopback stand-in',
        `requests/s, median of ${settings.rounds} rounds · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${load0.toFixed(0)} · node ${process.versions.node} · ${results.date.slice(0, 10)}`,
        LEVELS,
        series,
      ),
    );
    console.log(`wrote ${svgFile}`);
  }
  if (standInStats.bad > 0) throw new Error(`the stand-in rejected ${standInStats.bad} Authorization headers: ${standInStats.firstBad}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
