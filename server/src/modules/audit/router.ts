import { auditListInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import * as audit from './service';

export const auditRouter = router({
  list: authedProcedure.input(auditListInput).query(({ ctx, input }) => audit.listAudit(ctx.deps, input)),
});
