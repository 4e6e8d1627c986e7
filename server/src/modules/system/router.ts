import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { getSystemHealth } from './service';

export const systemRouter = router({
  health: authedProcedure.query(({ ctx }) => getSystemHealth(ctx.deps)),
});
