/**
 * Reading dist/meta.json (esbuild's metafile, written by scripts/build.ts): what a static
 * `import 'wechatpay-chain'` evaluates, and which sources that JavaScript came from.
 * Used by `npm run bench` (runtime JS loaded by the import, typed catalog bytes) and by
 * spec/e2e/package.spec.ts.
 */

/** The parts of an esbuild metafile read here. */
export interface Metafile {
  outputs: Record<string, { bytes: number; imports: Array<{ path: string; kind: string; external?: boolean }>; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** What importing one entry loads: output files with their sizes, and bytes per source file. */
export interface Loaded {
  outputs: Map<string, number>;
  inputs: Map<string, number>;
}

/**
 * Outputs `entry` (an output path ending, such as `dist/index.js`) loads through static imports,
 * and the source bytes in them; dynamic `import()` chunks load on demand and are left out.
 */
export function loadedBy(meta: Metafile, entry: string): Loaded {
  const start = Object.keys(meta.outputs).find((output) => output === entry || output.endsWith(`/${entry}`));
  if (start === undefined) throw new Error(`${entry} is not an output of this build`);
  const outputs = new Map<string, number>();
  const inputs = new Map<string, number>();
  const visit = (output: string) => {
    const info = meta.outputs[output];
    if (outputs.has(output) || info === undefined) return;
    outputs.set(output, info.bytes);
    for (const [input, { bytesInOutput }] of Object.entries(info.inputs)) if (bytesInOutput > 0) inputs.set(input, (inputs.get(input) ?? 0) + bytesInOutput);
    for (const imported of info.imports) if (!imported.external && imported.kind === 'import-statement') visit(imported.path);
  };
  visit(start);
  return { outputs, inputs };
}
