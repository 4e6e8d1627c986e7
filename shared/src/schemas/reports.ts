import { z } from 'zod';
import { billStatusSchema, billSummarySchema } from './bills';
import { billReturnEventSchema } from './returns';

const YEAR_RANGE = { from: 2000, to: 2100 };

/** A calendar day (YYYY-MM-DD) in the warehouses' time zone. */
export const calendarDaySchema = z.iso.date('Pick a date (YYYY-MM-DD)').refine((d) => {
  const year = Number(d.slice(0, 4));
  return year >= YEAR_RANGE.from && year <= YEAR_RANGE.to;
}, `Pick a date between ${YEAR_RANGE.from} and ${YEAR_RANGE.to}`);

export const endOfDayInput = z.object({ date: calendarDaySchema });
export type EndOfDayInput = z.infer<typeof endOfDayInput>;

const weightsSchema = {
  parents: z.number().int(),
  children: z.number().int(),
  actualWeightKg: z.number(),
  expectedWeightKg: z.number(),
  varianceKg: z.number(),
};

export const eodRunSchema = z.object({
  status: z.enum(['sending', 'sent', 'failed', 'skipped']),
  attempts: z.number().int(),
  recipients: z.number().int(),
  detail: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type EodRun = z.infer<typeof eodRunSchema>;

export const endOfDaySchema = z.object({
  date: z.string(),
  timeZone: z.string(),
  /** Over the bills listed: created or completed that day, each counted once. */
  totals: z.object({ billsCreated: z.number().int(), billsCompleted: z.number().int(), bills: z.number().int(), ...weightsSchema }),
  /** The listed bills by their status now. */
  byStatus: z.array(z.object({ status: billStatusSchema, bills: z.number().int(), ...weightsSchema })),
  /** Bills each user created that day and completed that day; weights are of the bills they completed. */
  byUser: z.array(z.object({ username: z.string(), billsCreated: z.number().int(), billsCompleted: z.number().int(), ...weightsSchema })),
  bills: z.array(billSummarySchema.extend({
    completedBy: z.string().nullable(),
    isCreatedThatDay: z.boolean(),
    isCompletedThatDay: z.boolean(),
  })),
  /**
   * Parents returned that day on return tickets (from any bill), counted apart from the bills:
   * the bills' own figures are what they hold now, after the returns.
   */
  returns: z.object({
    parents: z.number().int(),
    children: z.number().int(),
    weightKg: z.number(),
    tickets: z.number().int(),
    items: z.array(billReturnEventSchema.extend({ billNumber: z.string() })),
  }),
  /** The daily mail: whether it can be sent, when, and what happened for this date. */
  mail: z.object({ isConfigured: z.boolean(), sendAt: z.string().nullable(), run: eodRunSchema.nullable() }),
});
export type EndOfDay = z.infer<typeof endOfDaySchema>;
