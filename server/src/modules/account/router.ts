import { changePasswordInput, endSessionInput, twoFactorConfirmInput, twoFactorDisableInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import * as account from './service';
import * as twoFactor from './two-factor-service';

export const accountRouter = router({
  changePassword: authedProcedure.input(changePasswordInput).mutation(({ ctx, input }) => account.changePassword(ctx, input)),
  sessions: authedProcedure.query(({ ctx }) => account.listSessions(ctx)),
  endSession: authedProcedure.input(endSessionInput).mutation(({ ctx, input }) => account.endSession(ctx, input.sessionId)),
  endOtherSessions: authedProcedure.mutation(({ ctx }) => account.endOtherSessions(ctx)),
  twoFactor: router({
    begin: authedProcedure.mutation(({ ctx }) => twoFactor.beginTwoFactor(ctx)),
    confirm: authedProcedure.input(twoFactorConfirmInput).mutation(({ ctx, input }) => twoFactor.confirmTwoFactor(ctx, input.code)),
    disable: authedProcedure.input(twoFactorDisableInput).mutation(({ ctx, input }) => twoFactor.disableOwnTwoFactor(ctx, input)),
  }),
});
