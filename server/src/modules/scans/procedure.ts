import { AppError, type MutationName, type ParsedMutationArgs } from '@tracetrack/shared';
import { authedProcedure } from '../../trpc/procedures';
import { argsSchemaOf } from './commands';
import { runOnlineScan } from './service';

/**
 * tRPC types a generic procedure's input as "undefined unless an input parser is set"; the scan
 * procedure always sets one, so this only narrows the type.
 */
function parsedArgs<N extends MutationName>(input: ParsedMutationArgs<N> | undefined): ParsedMutationArgs<N> {
  if (input === undefined) throw new AppError('VALIDATION', 'The scan has no input.');
  return input;
}

/**
 * The online procedure of a scan command: its input is the command's shared schema, its gate its
 * row in the permission table, and it runs through the same scan path as a synced mutation.
 */
export function scanProcedure<N extends MutationName>(name: N) {
  return authedProcedure
    .input(argsSchemaOf(name))
    .mutation(({ ctx, input }) => runOnlineScan(ctx.deps, ctx.actor, ctx.meta, name, parsedArgs<N>(input)));
}
