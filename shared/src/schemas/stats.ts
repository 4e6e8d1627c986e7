import { z } from 'zod';

export const dashboardSchema = z.object({
  scope: z.string(),
  parents: z.number().int(),
  parentsFull: z.number().int(),
  children: z.number().int(),
  linkedChildren: z.number().int(),
  unlinkedChildren: z.number().int(),
  billedParents: z.number().int(),
  bills: z.object({ open: z.number().int(), loading: z.number().int(), completed: z.number().int(), total: z.number().int() }),
  scansToday: z.number().int(),
  daily: z.array(z.object({ day: z.string(), scans: z.number().int() })),
});
export type Dashboard = z.infer<typeof dashboardSchema>;
