import type { Catalog } from './catalog.js';
export function emitDocs(_catalog: Catalog): Map<string, string> {
  return new Map();
}
