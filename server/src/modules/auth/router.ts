import { loginInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { publicProcedure } from '../../trpc/procedures';
import * as auth from './service';

export const authRouter = router({
  login: publicProcedure.input(loginInput).mutation(({ ctx, input }) => auth.login(ctx, input)),
  logout: publicProcedure.mutation(({ ctx }) => auth.logout(ctx)),
  me: publicProcedure.query(({ ctx }) => auth.me(ctx)),
});
