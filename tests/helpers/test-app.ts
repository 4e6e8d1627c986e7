import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Role } from '@tracetrack/shared';
import { buildDeps } from '../../server/src/build-deps';
import type { Deps } from '../../server/src/deps';
import { createLogger } from '../../server/src/infra/logger';
import type { Actor } from '../../server/src/modules/actor';
import { createContextInner } from '../../server/src/trpc/context';
import { createCallerFactory } from '../../server/src/trpc/init';
import { appRouter } from '../../server/src/trpc/router';
import { createTestDatabase } from './test-db';

export const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

export interface TestApp {
  deps: Deps;
  databaseUrl: string;
  /** A caller acting as this user, exactly as a signed-in request would. */
  as(actor: Actor): Caller;
  anonymous(): Caller;
  close(): Promise<void>;
}

/** Real Postgres (own database per file) and real Redis when REDIS_URL is set (own key prefix). */
export async function createTestApp(
  opts: {
    clock?: () => Date; smtpUrl?: string; publicUrl?: string; eodSendAt?: string;
    adminTwoFactor?: 'required' | 'optional'; sessionIdleMs?: number; twoFactorKey?: Buffer; deviceSyncWarnMs?: number;
    metricsToken?: string;
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const deps = await buildDeps({
    databaseUrl: database.url,
    redisUrl: process.env.REDIS_URL,
    redisPrefix: `tt-test:${randomUUID()}:`,
    poolSize: 50,
    logger: createLogger('silent'),
    clock: opts.clock,
    smtpUrl: opts.smtpUrl,
    config: {
      isProduction: false,
      anonymizeIps: true,
      trustProxy: false,
      sessionIdleMs: opts.sessionIdleMs ?? 30 * 60_000,
      sessionAbsoluteMs: 12 * 3_600_000,
      clientDist: null,
      timeZone: 'Asia/Kolkata',
      publicUrl: opts.publicUrl ?? null,
      uploadDir: path.join(tmpdir(), 'tracetrack-test-uploads'),
      eodSendAt: opts.eodSendAt ?? null,
      deviceSyncWarnMs: opts.deviceSyncWarnMs ?? 30 * 60_000,
      // Tests sign admins in without a second factor unless a test checks the rule.
      adminTwoFactor: opts.adminTwoFactor ?? 'optional',
      twoFactorKey: opts.twoFactorKey ?? null,
      accessLog: false,
      metricsToken: opts.metricsToken ?? null,
    },
  });
  return {
    deps,
    databaseUrl: database.url,
    as: (actor) => createCaller(createContextInner({ deps, actor })),
    anonymous: () => createCaller(createContextInner({ deps })),
    close: async () => {
      await deps.close();
      await database.drop();
    },
  };
}

export type { Actor, Role };
