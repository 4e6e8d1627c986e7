import { importListInput, importRefInput } from '@tracetrack/shared';
import { router } from '../../trpc/init';
import { authedProcedure } from '../../trpc/procedures';
import * as imports from './service';

/** Uploads and report downloads are plain HTTP routes (routes.ts); the screen's other needs are here. */
export const importRouter = router({
  list: authedProcedure.input(importListInput).query(({ ctx, input }) => imports.listImports(ctx.deps, input)),
  get: authedProcedure.input(importRefInput).query(({ ctx, input }) => imports.getImport(ctx.deps, input.id)),
  commit: authedProcedure.input(importRefInput).mutation(({ ctx, input }) => imports.commitImport(ctx.deps, ctx.actor, ctx.meta, input.id)),
  resume: authedProcedure.input(importRefInput).mutation(({ ctx, input }) => imports.resumeImport(ctx.deps, ctx.actor, ctx.meta, input.id)),
});
