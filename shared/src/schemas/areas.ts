import { z } from 'zod';

/** A dispatch area as people read it: the key stored on users and bags, and its display name. */
export const areaSchema = z.object({ code: z.string(), name: z.string() });
export type Area = z.infer<typeof areaSchema>;
export const areaListOutput = z.array(areaSchema);
