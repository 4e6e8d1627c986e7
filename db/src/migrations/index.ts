import type { Migration } from 'kysely';
import * as m0001 from './0001-initial';

/** Numbered and append-only: never edit a landed migration, add the next number. */
export const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
};
