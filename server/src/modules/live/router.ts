import { billRefInput, importRefInput, listAreaOf, liveDevicesInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import type { LiveTopic } from '../../infra/live-bus';
import { getBillLive, resolveBillId } from '../bills/service';
import { listDeviceHealth } from '../devices/service';
import { getImport } from '../imports/service';
import { getDashboard } from '../stats/service';
import { asTrpcError, liveView } from './stream';

/**
 * Live screens: subscriptions over SSE (httpSubscriptionLink). Each sends its view at once and
 * again after every change its topics announce; see server/README.md "Live screens".
 */
export const liveRouter = router({
  /** The caller's dashboard (a dispatcher's is their area's). */
  dashboard: authedProcedure.subscription(({ ctx, signal }) =>
    liveView({
      ctx, path: 'live.dashboard', signal, topics: ['dashboard'], minIntervalMs: 500,
      key: `dashboard:${listAreaOf(ctx.actor) ?? 'all'}`,
      load: () => getDashboard(ctx.deps, ctx.actor),
    })),
  /** One bill's page: parents, progress, weights; null once the bill is deleted. */
  bill: authedProcedure.input(billRefInput).subscription(async function* ({ ctx, input, signal }) {
    const billId = await resolveBillId(ctx.deps, input.billNumber).catch((e: unknown) => {
      throw asTrpcError(e);
    });
    yield* liveView({
      ctx, path: 'live.bill', signal, topics: [`bill:${billId}`], minIntervalMs: 250,
      key: `bill:${billId}`,
      load: () => getBillLive(ctx.deps, billId),
      view: (loaded) => loaded.detail,
      topicsOf: (loaded) => loaded.parentIds.map((id): LiveTopic => `parent:${id}`),
    });
  }),
  /** The device sync health screen's first page. */
  devices: authedProcedure.input(liveDevicesInput).subscription(({ ctx, input, signal }) =>
    liveView({
      ctx, path: 'live.devices', signal, topics: ['devices'], minIntervalMs: 1_000,
      key: `devices:${input.limit}`,
      load: () => listDeviceHealth(ctx.deps, { limit: input.limit }),
    })),
  /** One import's progress and counts. */
  import: authedProcedure.input(importRefInput).subscription(({ ctx, input, signal }) =>
    liveView({
      ctx, path: 'live.import', signal, topics: [`import:${input.id}`], minIntervalMs: 250,
      key: `import:${input.id}`,
      load: () => getImport(ctx.deps, input.id),
    })),
});
