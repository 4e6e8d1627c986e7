import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { getDashboard } from './service';

export const statsRouter = router({
  dashboard: authedProcedure.query(({ ctx }) => getDashboard(ctx.deps, ctx.actor)),
});
