import { router } from '../../trpc/init';

export const userRouter = router({});
