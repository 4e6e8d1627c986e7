import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCycles, importGraph, resolveImport, workspacePackages } from '../helpers/import-graph';

const root = path.resolve(import.meta.dirname, '../..');
const packages = workspacePackages(root, ['shared', 'db', 'server', 'client']);
const relative = (cycles: string[][]) => cycles.map((c) => c.map((f) => path.relative(root, f)));

describe('imports between modules', () => {
  it('form no cycle in server, shared, db or client (type-only imports included)', () => {
    const graph = importGraph(['server/src', 'shared/src', 'db/src', 'client/src'].map((d) => path.join(root, d)), packages);
    expect(graph.size).toBeGreaterThan(100);
    expect(relative(importCycles(graph))).toEqual([]);
  });

  it('follows the workspace packages\' exports', () => {
    const from = path.join(root, 'client/src/main.tsx');
    expect(path.relative(root, resolveImport(from, '@tracetrack/shared', packages)!)).toBe('shared/src/index.ts');
    expect(path.relative(root, resolveImport(from, '@tracetrack/shared/codes', packages)!)).toBe('shared/src/codes.ts');
    expect(resolveImport(from, 'solid-js', packages)).toBeNull();
  });
});

describe('the cycle finder', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tt-cycles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);

  it('finds a cycle made of type-only imports, and a file importing itself', () => {
    write('a.ts', "import type { B } from './b';\nexport type A = B;\n");
    write('b.ts', "import { c } from './c';\nexport type B = string;\nexport const b = c;\n");
    write('c.ts', "export { type A } from './a';\nexport const c = 1;\n");
    write('d.ts', "import { c } from './c';\nexport const d = c;\n");
    write('e.ts', "export * from './e';\n");
    const cycles = importCycles(importGraph([dir], packages)).map((c) => c.map((f) => path.basename(f)));
    expect(cycles.sort()).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
  });
});
