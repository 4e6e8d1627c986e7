import { readFile } from 'node:fs/promises';
import type { ImportReport } from '@tracetrack/shared';
import { expect } from 'vitest';

type Fetcher = (url: string, init?: RequestInit) => Response | Promise<Response>;

export interface UploadOptions {
  kind: 'label-sheet' | 'bags' | 'bills';
  /** A path to read, or the file's bytes or text. */
  file: string | Buffer | { text: string };
  fileName: string;
  area?: string;
  dryRun?: boolean;
  id?: string;
}

/** POST /api/imports as the screen sends it: multipart/form-data with the file and the fields. */
export async function postImport(fetcher: Fetcher, base: string, cookie: string | null, opts: UploadOptions, headers: Record<string, string> = {}) {
  const bytes = typeof opts.file === 'string' ? await readFile(opts.file) : Buffer.isBuffer(opts.file) ? opts.file : Buffer.from(opts.file.text);
  const form = new FormData();
  form.set('kind', opts.kind);
  if (opts.area) form.set('area', opts.area);
  form.set('dryRun', opts.dryRun === false ? '0' : '1');
  if (opts.id) form.set('id', opts.id);
  form.set('file', new Blob([new Uint8Array(bytes)]), opts.fileName);
  const res = await fetcher(`${base}/api/imports`, { method: 'POST', body: form, headers: { ...(cookie ? { cookie } : {}), ...headers } });
  const body = (await res.json()) as ImportReport & { error?: { message: string; data: { appCode: string } } };
  return { status: res.status, body };
}

/** An import answered 200: its report. */
export async function importReport(fetcher: Fetcher, base: string, cookie: string, opts: UploadOptions): Promise<ImportReport> {
  const { status, body } = await postImport(fetcher, base, cookie, opts);
  expect(body.error?.message ?? null).toBeNull();
  expect(status).toBe(200);
  return body;
}
