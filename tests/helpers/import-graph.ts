import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The import graph of TypeScript sources, type-only imports included (a type-level cycle still
 * ties two modules together), and the cycles in it. madge would do this, but its parser needs
 * TypeScript 5's compiler API, which the TypeScript 7 installed here does not ship.
 */

const SOURCE = /\.(ts|tsx)$/;
// import … from '…', export … from '…', import '…', import('…')
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

export interface PackageRoot {
  /** The package name, e.g. @tracetrack/shared. */
  name: string;
  dir: string;
  /** package.json "exports": "." and "./x" or "./*" patterns to files. */
  exports: Record<string, string>;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry === 'node_modules' || entry === 'dist' ? [] : sourceFiles(full);
    return SOURCE.test(entry) && !entry.endsWith('.d.ts') ? [full] : [];
  });
}

function asFile(base: string): string | null {
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function exportTarget(pkg: PackageRoot, subpath: string): string | null {
  const entry = subpath === '' ? '.' : `./${subpath}`;
  for (const [pattern, target] of Object.entries(pkg.exports)) {
    const star = pattern.indexOf('*');
    if (star < 0 ? pattern === entry : entry.startsWith(pattern.slice(0, star)) && entry.endsWith(pattern.slice(star + 1))) {
      const matched = star < 0 ? '' : entry.slice(star, entry.length - (pattern.length - star - 1));
      return asFile(path.join(pkg.dir, target.replace('*', matched)));
    }
  }
  return null;
}

/** The file an import specifier names, or null for an npm package (outside the graph). */
export function resolveImport(from: string, specifier: string, packages: readonly PackageRoot[]): string | null {
  if (specifier.startsWith('.')) return asFile(path.resolve(path.dirname(from), specifier));
  const pkg = packages.find((p) => specifier === p.name || specifier.startsWith(`${p.name}/`));
  return pkg ? exportTarget(pkg, specifier.slice(pkg.name.length + 1)) : null;
}

export function importGraph(dirs: readonly string[], packages: readonly PackageRoot[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const match of text.matchAll(SPECIFIER)) {
      const target = resolveImport(file, match[1]!, packages);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Every cycle's modules (Tarjan's strongly connected components of more than one file, or a file importing itself). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

/** The workspace packages of a repository root, read from their package.json. */
export function workspacePackages(root: string, dirs: readonly string[]): PackageRoot[] {
  return dirs.map((dir) => {
    const json = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as { name: string; exports?: Record<string, string | { types?: string; default?: string }> };
    const exports: Record<string, string> = {};
    for (const [key, value] of Object.entries(json.exports ?? {})) {
      const target = typeof value === 'string' ? value : (value.types ?? value.default);
      if (target) exports[key] = target;
    }
    return { name: json.name, dir: path.join(root, dir), exports };
  });
}
