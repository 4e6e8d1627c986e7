import type { Migration } from 'kysely';
import * as m0001 from './0001-initial';
import * as m0002 from './0002-sync';
import * as m0003 from './0003-scale-indexes';
import * as m0004 from './0004-device-health';
import * as m0005 from './0005-pull-tombstones';
import * as m0006 from './0006-bill-feed-child-counts';
import * as m0007 from './0007-auth';
import * as m0008 from './0008-admin';
import * as m0009 from './0009-exports';
import * as m0010 from './0010-imports';
import * as m0011 from './0011-returns';
import * as m0012 from './0012-background-runs';
import * as m0013 from './0013-device-outbox';

/** Numbered and append-only: never edit a landed migration, add the next number. */
export const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-sync': m0002,
  '0003-scale-indexes': m0003,
  '0004-device-health': m0004,
  '0005-pull-tombstones': m0005,
  '0006-bill-feed-child-counts': m0006,
  '0007-auth': m0007,
  '0008-admin': m0008,
  '0009-exports': m0009,
  '0010-imports': m0010,
  '0011-returns': m0011,
  '0012-background-runs': m0012,
  '0013-device-outbox': m0013,
};
