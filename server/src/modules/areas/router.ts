import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import { listAreas } from './service';

export const areaRouter = router({
  list: authedProcedure.query(({ ctx }) => listAreas(ctx.deps)),
});
