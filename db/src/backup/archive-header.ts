import { open } from 'node:fs/promises';
import { BackupError } from './pg-tools';

export interface ArchiveHeader {
  /** The archive format version, e.g. "1.14". */
  formatVersion: string;
  database: string;
  /** The server the dump was taken from, e.g. "15.20 (Debian 15.20-0+deb12u1)". */
  serverVersion: string;
  /** The pg_dump that wrote it, and its major version (pg_restore must be at least that). */
  dumpVersion: string;
  dumpMajor: number;
}

/**
 * Reads the header pg_dump writes at the start of a custom-format archive (pg_backup_archiver.c
 * WriteHead): "PGDMP", the format version, int and offset sizes, the format (1 = custom), the
 * compression, the dump time, then the database name and both versions as length-prefixed
 * strings. Anything else is refused before any tool touches the database.
 */
export async function readArchiveHeader(file: string): Promise<ArchiveHeader> {
  const notBackup = (why: string) =>
    new BackupError(`${file} is not a TraceTrack backup (a pg_dump custom-format archive): ${why}.`);
  const handle = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new BackupError(e.code === 'ENOENT' ? `${file} does not exist.` : `${file} cannot be read (${e.code ?? e.message}).`);
  });
  let buf: Buffer;
  try {
    buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    buf = buf.subarray(0, bytesRead);
  } catch (e) {
    throw new BackupError(`${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
  } finally {
    await handle.close();
  }
  if (buf.length === 0) throw notBackup('the file is empty');
  if (buf.subarray(0, 5).toString('latin1') !== 'PGDMP') {
    throw notBackup(buf.subarray(0, 5).toString('latin1').startsWith('--') ? 'it looks like a plain SQL dump' : 'it does not start with PGDMP');
  }
  let at = 5;
  const byte = () => {
    if (at >= buf.length) throw notBackup('the header is cut short');
    return buf[at++]!;
  };
  const [vmaj, vmin] = [byte(), byte()];
  byte(); // revision
  const intSize = byte();
  byte(); // offset size
  const format = byte();
  if (format !== 1) throw notBackup(`it is a pg_dump archive in ${format === 3 ? 'tar' : format === 5 ? 'directory' : 'another'} format, not the custom format`);
  if (intSize < 1 || intSize > 8) throw notBackup('the header is damaged');
  const int = () => {
    const negative = byte() !== 0;
    let value = 0;
    for (let i = 0; i < intSize; i++) value += byte() * 2 ** (8 * i);
    return negative ? -value : value;
  };
  const str = () => {
    const length = int();
    if (length < 0) return '';
    if (length > 1000 || at + length > buf.length) throw notBackup('the header is damaged');
    const s = buf.subarray(at, at + length).toString('utf8');
    at += length;
    return s;
  };
  if (vmaj > 1 || (vmaj === 1 && vmin >= 15)) byte(); // compression algorithm
  else int(); // compression level
  for (let i = 0; i < 7; i++) int(); // dump time: sec, min, hour, day, month, year, isdst
  const database = str();
  const serverVersion = str();
  const dumpVersion = str();
  const dumpMajor = Number(/^(\d+)/.exec(dumpVersion)?.[1]);
  if (!Number.isInteger(dumpMajor)) throw notBackup('the header has no pg_dump version');
  return { formatVersion: `${vmaj}.${vmin}`, database, serverVersion, dumpVersion, dumpMajor };
}
