import { router } from '../../trpc/init';

export const billRouter = router({});
