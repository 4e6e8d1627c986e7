import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchiveHeader } from '../../db/src/backup/archive-header';
import { BackupError, findTool, parseToolVersion } from '../../db/src/backup/pg-tools';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tt-backup-unit-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A custom-format header as pg_dump's WriteHead writes it (4-byte ints, little-endian). */
function header(opts: { vmin: number; format?: number; dumpVersion: string }) {
  const int = (n: number) => Buffer.from([n < 0 ? 1 : 0, ...[0, 1, 2, 3].map((i) => (Math.abs(n) >> (8 * i)) & 0xff)]);
  const str = (s: string) => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
  return Buffer.concat([
    Buffer.from('PGDMP'), Buffer.from([1, opts.vmin, 0, 4, 8, opts.format ?? 1]),
    opts.vmin >= 15 ? Buffer.from([0]) : int(-1),
    ...[12, 30, 2, 1, 11, 126, 0].map(int),
    str('tracetrack'), str('18.4'), str(opts.dumpVersion),
    Buffer.alloc(64),
  ]);
}

describe('backup archive header', () => {
  it('reads the pg_dump version before and after archive format 1.15 (compression byte)', async () => {
    for (const [vmin, dumpVersion] of [[14, '15.20 (Debian 15.20-0+deb12u1)'], [16, '18.4']] as const) {
      const file = path.join(dir, `v${vmin}.dump`);
      await writeFile(file, header({ vmin, dumpVersion }));
      expect(await readArchiveHeader(file)).toEqual({
        formatVersion: `1.${vmin}`, database: 'tracetrack', serverVersion: '18.4', dumpVersion, dumpMajor: Number(dumpVersion.split('.')[0]),
      });
    }
  });

  it('refuses other formats, empty and damaged files with a BackupError naming the file', async () => {
    const cases: [string, Buffer, RegExp][] = [
      ['tar.dump', header({ vmin: 14, format: 3, dumpVersion: '15.2' }), /tar format, not the custom format/],
      ['empty.dump', Buffer.alloc(0), /the file is empty/],
      ['short.dump', header({ vmin: 14, dumpVersion: '15.2' }).subarray(0, 20), /cut short/],
      ['gzip.dump', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), /does not start with PGDMP/],
    ];
    for (const [name, bytes, message] of cases) {
      const file = path.join(dir, name);
      await writeFile(file, bytes);
      const error = await readArchiveHeader(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackupError);
      expect((error as Error).message).toMatch(new RegExp(`${name} is not a TraceTrack backup`));
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('PostgreSQL tools', () => {
  it('reads versions as the tools print them', () => {
    expect(parseToolVersion('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n')).toEqual({ version: '15.20', major: 15 });
    expect(parseToolVersion('pg_restore (PostgreSQL) 18.4\n')).toEqual({ version: '18.4', major: 18 });
    expect(parseToolVersion('pg_dump (PostgreSQL) 18beta1')).toEqual({ version: '18', major: 18 });
    expect(parseToolVersion('something else')).toBeNull();
  });

  it('takes the first tool new enough and names what it found when none is', async () => {
    const [old, recent] = [path.join(dir, 'old'), path.join(dir, 'recent')];
    for (const [folder, version] of [[old, '15.20'], [recent, '18.4']] as const) {
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, 'pg_dump'), `#!/bin/sh\necho "pg_dump (PostgreSQL) ${version}"\n`, { mode: 0o755 });
    }
    expect(await findTool('pg_dump', 15, [old, recent], 'test')).toMatchObject({ path: path.join(old, 'pg_dump'), major: 15 });
    expect(await findTool('pg_dump', 18, [old, recent], 'test')).toMatchObject({ path: path.join(recent, 'pg_dump'), version: '18.4' });
    await expect(findTool('pg_dump', 19, [old, recent], 'Backing up PostgreSQL 19.0')).rejects.toThrow(
      /Backing up PostgreSQL 19\.0 needs pg_dump 19 or newer: found only pg_dump 15\.20 \(.*old\/pg_dump\), pg_dump 18\.4 .*postgresql-client-19.*PG_BIN_DIR/s,
    );
  });
});
