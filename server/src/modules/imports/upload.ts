import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import Busboy from '@fastify/busboy';
import { AppError, MAX_UPLOAD_BYTES } from '@tracetrack/shared';

export interface ReceivedUpload {
  fields: Record<string, string>;
  file: { path: string; name: string; bytes: number } | null;
}

/** The upload was larger than MAX_UPLOAD_BYTES: the route answers 413. */
export class UploadTooLarge extends Error {
  constructor() {
    super(`The file is larger than ${MAX_UPLOAD_BYTES / 1_048_576} MB.`);
  }
}

/** Counts the request's bytes as they pass, failing once they pass the limit. */
function byteLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      done(seen > max ? new UploadTooLarge() : null, chunk);
    },
  });
}

/**
 * Streams a multipart/form-data request to disk with busboy: the `file` part goes to a new file in
 * `dir` as it arrives (never whole in memory), the other parts are small text fields. A body past
 * the limit stops the upload (UploadTooLarge) and leaves no file behind.
 */
export async function receiveUpload(req: Request, dir: string): Promise<ReceivedUpload> {
  const type = req.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data') || !req.body) {
    throw new AppError('VALIDATION', 'Send the file as multipart/form-data, in a field named file.');
  }
  // Multipart adds a few hundred bytes of part headers around the file itself.
  const maxBody = MAX_UPLOAD_BYTES + 64 * 1024;
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBody) throw new UploadTooLarge();
  await mkdir(dir, { recursive: true });

  const fields: Record<string, string> = {};
  let file: ReceivedUpload['file'] = null;
  const writes: Promise<void>[] = [];
  let isTooLarge = false;
  let busboy;
  try {
    busboy = Busboy({ headers: { 'content-type': type }, limits: { files: 1, fields: 20, fieldSize: 1024, fileSize: MAX_UPLOAD_BYTES } });
  } catch {
    throw new AppError('VALIDATION', 'The multipart/form-data request has no boundary.');
  }
  busboy.on('field', (name: string, value: string) => {
    fields[name] = value;
  });
  busboy.on('file', (name: string, stream: NodeJS.ReadableStream & { truncated?: boolean }, fileName: string) => {
    if (name !== 'file' || file) {
      stream.resume();
      return;
    }
    const target = path.join(dir, `.upload-${randomUUID()}`);
    const received = { path: target, name: path.basename(fileName || 'upload').slice(0, 200), bytes: 0 };
    file = received;
    stream.on('data', (chunk: Buffer) => {
      received.bytes += chunk.length;
    });
    stream.on('limit', () => {
      isTooLarge = true;
    });
    writes.push(pipeline(stream, createWriteStream(target)));
  });
  try {
    await pipeline(Readable.fromWeb(req.body as unknown as WebReadableStream<Uint8Array>), byteLimit(maxBody), busboy);
    await Promise.all(writes);
  } catch (e) {
    await discard(file);
    if (e instanceof UploadTooLarge) throw e;
    throw new AppError('VALIDATION', `The upload did not arrive whole (${e instanceof Error ? e.message : String(e)}); send it again.`);
  }
  if (isTooLarge) {
    await discard(file);
    throw new UploadTooLarge();
  }
  return { fields, file };
}

export async function discard(file: { path: string } | null): Promise<void> {
  if (file) await rm(file.path, { force: true });
}
