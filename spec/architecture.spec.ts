/**
 * The layout rules of lib/ (docs/architecture.md), held by dependency-cruiser: no import cycle
 * (type-only imports included), a vocabulary that imports no implementation, media as a leaf, the
 * library never loading the emulator or the CLI; and every deferred load in lib/lazy.ts.
 *
 * dependency-cruiser rather than a hand-written graph walk: it parses TypeScript with the
 * compiler (so `import type` edges count), resolves NodeNext `.js` specifiers to the `.ts`
 * sources, and reports each cycle with its path. The first test proves both on a fixture, so a
 * checker that silently saw nothing could not pass.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IForbiddenRuleType, type IViolation } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The files the generated endpoint types and every step share: types only, importing nothing else of lib. */
const VOCABULARY = '^lib/(endpoint/options|pipeline/context|chain/types|chain/typed)\\.ts$';

const RULES: IForbiddenRuleType[] = [
  {
    name: 'no-circular',
    comment: 'an import cycle, type-only imports included',
    severity: 'error',
    from: { path: '^lib/' },
    to: { circular: true },
  },
  {
    name: 'vocabulary-imports-no-implementation',
    comment: 'the vocabulary (request options, method, retry/encrypt/media option shapes, context, response) imports only itself',
    severity: 'error',
    from: { path: VOCABULARY },
    to: { path: '^lib/', pathNot: VOCABULARY },
  },
  {
    name: 'media-is-a-leaf',
    comment: 'lib/media is called by request building and the signers; it calls none of them',
    severity: 'error',
    from: { path: '^lib/media/' },
    to: { path: '^lib/', pathNot: ['^lib/media/', '^lib/(errors|lazy|validate|printable)\\.ts$', VOCABULARY] },
  },
  {
    name: 'library-never-loads-testing-or-cli',
    comment: 'the emulator and the CLI are entry points of their own',
    severity: 'error',
    from: { path: '^lib/', pathNot: '^lib/(testing|cli)/' },
    to: { path: '^lib/(testing|cli)/' },
  },
];

async function check(paths: string[], baseDir: string, exclude?: string): Promise<ICruiseResult> {
  const { output } = await cruise(paths, {
    baseDir,
    ...(exclude === undefined ? {} : { exclude: { path: exclude } }),
    doNotFollow: { path: 'node_modules' },
    // keep `import type` edges: a type-only cycle ties the files together as much as any other
    tsPreCompilationDeps: true,
    validate: true,
    ruleSet: { forbidden: RULES },
  });
  return output as ICruiseResult;
}

/** The `.ts` files under `dir` (repository-relative, `/`-separated), without the `skip` paths. */
function sources(dir: string, skip: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const name = `${dir}/${entry.name}`;
    if (skip.includes(name)) continue;
    if (entry.isDirectory()) out.push(...sources(name, skip));
    else if (name.endsWith('.ts')) out.push(name);
  }
  return out;
}

function describeViolation(violation: IViolation): string {
  const path = violation.cycle?.map((step) => step.name).join(' -> ');
  return `${violation.rule.name}: ${violation.from} -> ${path ?? violation.to}`;
}

describe('the layout of lib/', () => {
  it('the checker sees type-only imports through .js specifiers (a fixture with a known cycle)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'architecture-'));
    try {
      mkdirSync(join(dir, 'lib'));
      writeFileSync(join(dir, 'lib', 'a.ts'), "import type { B } from './b.js';\nexport interface A { b?: B }\n");
      writeFileSync(join(dir, 'lib', 'b.ts'), "import { c } from './c.js';\nexport interface B { c: typeof c }\n");
      writeFileSync(join(dir, 'lib', 'c.ts'), "import type { A } from './a.js';\nexport const c: A | undefined = undefined;\n");
      const fixture = await check(['lib'], dir);
      expect(fixture.modules.map((m) => m.source).sort()).toEqual(['lib/a.ts', 'lib/b.ts', 'lib/c.ts']);
      const cycles = fixture.summary.violations.filter((v) => v.rule.name === 'no-circular');
      expect(cycles.length).toBeGreaterThan(0);
      expect(cycles[0]?.cycle?.map((step) => step.name).sort()).toEqual(['lib/a.ts', 'lib/b.ts', 'lib/c.ts']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no import cycle, a pure vocabulary, media as a leaf, and no library module loading the emulator or the CLI', async () => {
    const result = await check(['lib'], root, '^lib/openapi/');
    // every source file of lib/ was read, and every relative import resolved to a file
    const read = new Set(result.modules.map((m) => m.source));
    expect(sources('lib', ['lib/openapi']).filter((file) => !read.has(file) && !file.endsWith('.d.ts'))).toEqual([]);
    const unresolved = result.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve && d.module.startsWith('.')).map((d) => `${m.source}: ${d.module}`));
    expect(unresolved).toEqual([]);
    expect(result.summary.violations.map(describeViolation)).toEqual([]);
  });

  it('defers loads only in lib/lazy.ts (no createRequire or import() of a package elsewhere)', () => {
    // generated types; the emulator loads its own optional peer dependency (@peculiar/x509)
    const offenders = sources('lib', ['lib/openapi', 'lib/testing', 'lib/lazy.ts']).filter((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      return /\bcreateRequire\s*\(/.test(text) || /(?<!typeof\s)\bimport\(\s*['"](?!\.)/.test(text);
    });
    expect(offenders).toEqual([]);
  });
});
