import type { ImportKind, ImportReport, ImportSummary } from '@tracetrack/shared';
import { api } from '../../api/trpc';
import { followLive } from '../live/follow-live';

export interface UploadRequest {
  file: File;
  kind: ImportKind;
  area: string | null;
  isDryRun: boolean;
}

/** The same progress for the upload (bytes sent) and for the job (rows processed). */
export interface Progress {
  done: number;
  total: number;
}

/**
 * POST /api/imports as multipart/form-data. XMLHttpRequest, not fetch, because only it reports
 * upload progress. The id is chosen here so the screen can follow the job while the upload is
 * still being answered. Resolves with the report; a refusal rejects with its sentence.
 */
export function uploadImport(req: UploadRequest, id: string, onUpload: (p: Progress) => void): Promise<ImportReport> {
  const form = new FormData();
  form.set('kind', req.kind);
  if (req.area) form.set('area', req.area);
  form.set('dryRun', req.isDryRun ? '1' : '0');
  form.set('id', id);
  form.set('file', req.file, req.file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/imports');
    xhr.withCredentials = true;
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => onUpload({ done: e.loaded, total: e.lengthComputable ? e.total : req.file.size });
    xhr.onload = () => {
      const body = xhr.response as (ImportReport & { error?: { message: string } }) | null;
      if (xhr.status === 200 && body && !body.error) resolve(body);
      else reject(new Error(body?.error?.message ?? `The upload failed (HTTP ${xhr.status}).`));
    };
    xhr.onerror = () => reject(new Error('The upload did not reach the server. Check the connection and try again.'));
    xhr.send(form);
  });
}

export const fetchImport = (id: string): Promise<ImportReport> => api.import.get.query({ id });
export const fetchImportPage = (cursor: string | null) => api.import.list.query({ limit: 20, ...(cursor ? { cursor } : {}) });
export const commitImport = (id: string): Promise<ImportSummary> => api.import.commit.mutate({ id });
export const resumeImport = (id: string): Promise<ImportSummary> => api.import.resume.mutate({ id });

/** An import a job is still working on (or would be, had it not been interrupted). */
export function isInProgress(s: Pick<ImportSummary, 'status'>): boolean {
  return s.status === 'reading' || s.status === 'checking' || s.status === 'committing';
}

/** Polling while the live stream is down (and while the import row is not there yet). */
const POLL_MS = 600;

/**
 * Follows an import's job until it stops (finished or interrupted), reporting each state: live
 * (live.import), polling import.get while the stream is down. A not-found while the upload is
 * still arriving is waited out. Returns a function that stops it.
 */
export function followImport(id: string, onUpdate: (r: ImportReport) => void, onError: (message: string) => void): () => void {
  // A job takes its lock a moment after its import row exists: only a few idle looks in a row
  // mean it was interrupted.
  let idleLooks = 0;
  const live = followLive<ImportReport>({
    subscribe: (h) => api.live.import.subscribe({ id }, h),
    poll: () => fetchImport(id),
    onValue: (report) => {
      onUpdate(report);
      idleLooks = !isInProgress(report) ? 3 : report.isRunning ? 0 : idleLooks + 1;
      if (idleLooks >= 3) live.stop();
    },
    onPollError: (message, code) => {
      if (code !== 'IMPORT_NOT_FOUND') onError(message);
    },
    pollMs: POLL_MS,
  });
  return live.stop;
}
