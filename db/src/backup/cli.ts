import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { databaseEnvShape, parseEnv } from '../env';
import { type BackupEnv } from './backup';
import { BackupError } from './pg-tools';

const backupEnvSchema = z.object({
  ...databaseEnvShape,
  /** A folder holding pg_dump and pg_restore; unset: the embedded distribution, then the system's. */
  PG_BIN_DIR: z.string().optional(),
});

/**
 * The backup and restore CLIs' shell: arguments, environment, and every failure as one message
 * on stderr with exit code 1 (a stack trace only for a bug, never for a missing tool or bad file).
 */
export async function runMaintenanceCli(
  name: string,
  options: NonNullable<ParseArgsConfig['options']>,
  usage: string,
  work: (env: BackupEnv, values: Record<string, unknown>) => Promise<string | null>,
): Promise<void> {
  try {
    let values: Record<string, unknown>;
    try {
      values = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false }).values;
    } catch (e) {
      throw new BackupError(`${e instanceof Error ? e.message : String(e)}\nUsage: ${usage}`);
    }
    if (values.help) {
      console.log(`Usage: ${usage}`);
      return;
    }
    let env: BackupEnv;
    try {
      env = parseEnv(backupEnvSchema, process.env);
    } catch (e) {
      throw new BackupError(e instanceof Error ? e.message : String(e));
    }
    const message = await work(env, values);
    if (message === null) throw new BackupError(`Usage: ${usage}`);
    console.log(message);
  } catch (e) {
    // An unexpected error is still one message; its stack only when asked for (DEBUG=1).
    const message = e instanceof Error ? e.message : String(e);
    console.error(`${name} failed: ${message}`);
    if (!(e instanceof BackupError) && process.env.DEBUG && e instanceof Error) console.error(e.stack);
    process.exitCode = 1;
  }
}
