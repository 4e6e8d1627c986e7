import { authRouter } from '../modules/auth/router';
import { bagRouter } from '../modules/bags/router';
import { billRouter } from '../modules/bills/router';
import { statsRouter } from '../modules/stats/router';
import { userRouter } from '../modules/users/router';
import { router } from './init';

export const appRouter = router({
  auth: authRouter,
  user: userRouter,
  bag: bagRouter,
  bill: billRouter,
  stats: statsRouter,
});

export type AppRouter = typeof appRouter;
