/**
 * Compiles the type tests (spec/openapi/types.spec.ts) and every example of the docs/api pages
 * (docs/api/examples/*.ts, written by `npm run generate`) with the TypeScript compiler, so the
 * documentation cannot drift from the generated types.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/generate.js';

function compile(rootNames: string[]): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(REPO_ROOT, 'tsconfig.json'), { noEmit: true, incremental: false }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error('tsconfig.json could not be read');
  // ambient declarations the project keeps (lib/types/*.d.ts) come along with the given files
  const ambient = config.fileNames.filter((f) => f.endsWith('.d.ts'));
  const program = ts.createProgram({ rootNames: [...ambient, ...rootNames], options: config.options });
  // only the given files are checked (lib itself is `npm run typecheck`'s job), which keeps this fast
  const checked = rootNames.map((name) => program.getSourceFile(name));
  if (checked.some((file) => file === undefined)) throw new Error('a file to check is missing from the program');
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...checked.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
  ];
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? `${relative(REPO_ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('generated types under tsc', () => {
  const examples = readdirSync(join(REPO_ROOT, 'docs/api/examples'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(REPO_ROOT, 'docs/api/examples', f));

  it('compile the type tests and every documentation example without a diagnostic', { timeout: 120_000 }, () => {
    expect(examples.length).toBeGreaterThan(100);
    const diagnostics = compile([join(REPO_ROOT, 'spec/openapi/types.spec.ts'), ...examples]);
    expect(diagnostics.slice(0, 20)).toEqual([]);
  });
});
