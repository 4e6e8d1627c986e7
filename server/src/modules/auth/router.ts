import { loginInput, requestPasswordResetInput, resetPasswordInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { publicProcedure } from '../../trpc/procedures';
import * as reset from './password-reset';
import * as auth from './service';

export const authRouter = router({
  login: publicProcedure.input(loginInput).mutation(({ ctx, input }) => auth.login(ctx, input)),
  logout: publicProcedure.mutation(({ ctx }) => auth.logout(ctx)),
  me: publicProcedure.query(({ ctx }) => auth.me(ctx)),
  requestPasswordReset: publicProcedure.input(requestPasswordResetInput).mutation(({ ctx, input }) => reset.requestPasswordReset(ctx, input)),
  resetPassword: publicProcedure.input(resetPasswordInput).mutation(({ ctx, input }) => reset.resetPassword(ctx, input)),
});
