import { accountRouter } from '../modules/account/router';
import { areaRouter } from '../modules/areas/router';
import { auditRouter } from '../modules/audit/router';
import { authRouter } from '../modules/auth/router';
import { bagRouter } from '../modules/bags/router';
import { billRouter } from '../modules/bills/router';
import { deviceRouter } from '../modules/devices/router';
import { importRouter } from '../modules/imports/router';
import { promotionRouter } from '../modules/promotions/router';
import { exportRouter } from '../modules/exports/router';
import { labelRouter } from '../modules/labels/router';
import { liveRouter } from '../modules/live/router';
import { reportRouter } from '../modules/reports/router';
import { returnRouter } from '../modules/returns/router';
import { statsRouter } from '../modules/stats/router';
import { syncRouter } from '../modules/sync/router';
import { systemRouter } from '../modules/system/router';
import { userRouter } from '../modules/users/router';
import { router } from './init';

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  user: userRouter,
  bag: bagRouter,
  bill: billRouter,
  return: returnRouter,
  stats: statsRouter,
  area: areaRouter,
  device: deviceRouter,
  sync: syncRouter,
  import: importRouter,
  promotion: promotionRouter,
  audit: auditRouter,
  export: exportRouter,
  report: reportRouter,
  label: labelRouter,
  system: systemRouter,
  live: liveRouter,
});

export type AppRouter = typeof appRouter;
