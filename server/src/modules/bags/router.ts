import { router } from '../../trpc/init';

export const bagRouter = router({});
