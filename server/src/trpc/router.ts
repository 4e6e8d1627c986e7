import { accountRouter } from '../modules/account/router';
import { areaRouter } from '../modules/areas/router';
import { auditRouter } from '../modules/audit/router';
import { authRouter } from '../modules/auth/router';
import { bagRouter } from '../modules/bags/router';
import { billRouter } from '../modules/bills/router';
import { deviceRouter } from '../modules/devices/router';
import { promotionRouter } from '../modules/promotions/router';
import { statsRouter } from '../modules/stats/router';
import { syncRouter } from '../modules/sync/router';
import { userRouter } from '../modules/users/router';
import { router } from './init';

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  user: userRouter,
  bag: bagRouter,
  bill: billRouter,
  stats: statsRouter,
  area: areaRouter,
  device: deviceRouter,
  sync: syncRouter,
  promotion: promotionRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;
