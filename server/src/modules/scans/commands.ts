import {
  AppError,
  type BillMutationOutput,
  clientTimeSchema,
  isMutationName,
  isStorableText,
  type LinkChildOutput,
  MAX_MUTATION_ARGS_BYTES,
  MUTATION_ARGS,
  type Mutation,
  type MutationArgs,
  type MutationName,
  type ParsedMutationArgs,
  type ReturnMutationOutput,
  type ScanParentOutput,
  toStorableText,
  type UnlinkChildOutput,
} from '@tracetrack/shared';
import type { z } from 'zod';

/**
 * One scan command per mutation name, with its parsed args: what an online procedure receives
 * from its input schema and what a synced mutation becomes once read. Codes in it are normalised
 * (the shared schemas did it at the edge) and trusted from here on.
 */
type CommandMap = { [N in MutationName]: { name: N; args: ParsedMutationArgs<N> } };
export type ScanCommand = CommandMap[MutationName];
export type BagCommand = CommandMap['parent.scan' | 'child.link' | 'child.unlink'];
/** A command being built for a name not known yet (TypeScript checks a generic build in this form). */
type CommandOf<N extends MutationName> = { [P in N]: { name: P; args: ParsedMutationArgs<P> } }[N];

/** What each command answers when it applies (or changes nothing). */
export interface ScanOutputs {
  'parent.scan': ScanParentOutput;
  'child.link': LinkChildOutput;
  'child.unlink': UnlinkChildOutput;
  'bill.create': BillMutationOutput;
  'bill.addParent': BillMutationOutput;
  'bill.removeParent': BillMutationOutput;
  'bill.complete': BillMutationOutput;
  'return.create': ReturnMutationOutput;
  'return.scan': ReturnMutationOutput;
  'return.finalize': ReturnMutationOutput;
  'return.cancel': ReturnMutationOutput;
}

type ArgsSchema<N extends MutationName> = z.ZodType<ParsedMutationArgs<N>, MutationArgs<N>>;
/** The schemas seen per name, so parsing one keeps its name and its args' type together. */
const SCHEMAS: { [N in MutationName]: ArgsSchema<N> } = MUTATION_ARGS;

/** A command's input schema, for the procedure that takes it online. */
export function argsSchemaOf<N extends MutationName>(name: N): ArgsSchema<N> {
  return SCHEMAS[name];
}

function parseCommand<N extends MutationName>(name: N, args: unknown): { command: CommandOf<N> } | { issues: string[] } {
  const schema: ArgsSchema<N> = SCHEMAS[name];
  const parsed = schema.safeParse(args);
  if (!parsed.success) return { issues: parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`) };
  return { command: { name, args: parsed.data } };
}

/**
 * A queued mutation as it is applied, stored and compared on replay: the parsed command and time,
 * never the raw input. An invalid one keeps what can be stored of it (its name with broken
 * characters replaced, its raw args when they are small, storable JSON, else null), so its refusal
 * is stored like any other and its replay finds it.
 */
export type ReadMutation =
  | { isValid: true; command: ScanCommand; clientTime: string }
  | { isValid: false; name: string; args: unknown; clientTime: string | null; error: AppError };

/** The name and args stored with the mutation's event, valid or not. */
export function storedFormOf(read: ReadMutation): { name: string; args: unknown } {
  return read.isValid ? read.command : { name: read.name, args: read.args };
}

/** The args as JSON, or null when they cannot be serialised (nested deeper than the stack). */
function jsonOf(value: unknown): string | null {
  try {
    return JSON.stringify(value ?? null);
  } catch {
    return null;
  }
}

function isStorableJson(value: unknown): boolean {
  if (typeof value === 'string') return isStorableText(value);
  if (Array.isArray(value)) return value.every(isStorableJson);
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => isStorableText(k) && isStorableJson(v));
  return true;
}

export function readMutation(m: Mutation): ReadMutation {
  const name = toStorableText(m.name);
  const time = clientTimeSchema.safeParse(m.clientTime);
  const clientTime = time.success ? time.data : null;
  const json = jsonOf(m.args);
  const isSmall = json !== null && Buffer.byteLength(json) <= MAX_MUTATION_ARGS_BYTES;
  const invalid = (message: string): ReadMutation => ({
    isValid: false, name, clientTime, error: new AppError('VALIDATION', message),
    args: isSmall && isStorableJson(m.args) ? (m.args ?? null) : null,
  });

  if (!isMutationName(m.name)) return invalid(`Unknown mutation "${name}".`);
  if (!isSmall) return invalid(`Invalid ${name}: args must be at most ${MAX_MUTATION_ARGS_BYTES} bytes of JSON.`);
  const parsed = parseCommand(m.name, m.args);
  const issues = [
    ...('issues' in parsed ? parsed.issues : []),
    ...(time.success ? [] : [`clientTime: ${time.error.issues[0]?.message ?? 'invalid'}`]),
  ];
  if (!('command' in parsed) || !time.success) return invalid(`Invalid ${name}: ${issues.join('; ')}`);
  return { isValid: true, command: parsed.command, clientTime: time.data };
}
