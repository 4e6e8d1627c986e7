import { z } from 'zod';
import { cursorSchema, isoDateTimeSchema, pageLimitSchema, pageOf, storableTextSchema } from './common';

/**
 * An action (`auth.login`, `bag.link`) matches exactly; a group ending in a dot (`auth.`, `bag.`)
 * matches every action of that group.
 */
export const auditActionFilterSchema = z
  .string()
  .trim()
  .regex(/^[a-z_]{2,30}\.([a-z_]{2,40})?$/, 'An action such as auth.login, or a group such as auth.');

/** Entity types written today: user, bag, bill, device (others may follow, so not an enum). */
export const auditEntityTypeSchema = z.string().regex(/^[a-z_]{2,30}$/, 'An entity type such as bag, bill or user');

export const auditFiltersSchema = z
  .object({
    /** The username of who did it (case-insensitive). */
    actor: z.string().trim().regex(/^[A-Za-z0-9_]{3,20}$/, 'A username').optional(),
    action: auditActionFilterSchema.optional(),
    entityType: auditEntityTypeSchema.optional(),
    /** What people call the entity: a bag code, a bill number, a username, a device id. Needs entityType. */
    entityKey: storableTextSchema.trim().min(1).max(100).optional(),
    /** The id the rows carry (`entityId`), for entities that no longer exist. Needs entityType. */
    entityId: z.string().regex(/^[0-9A-Za-z-]{1,40}$/, 'An entity id as the audit rows show it').optional(),
    /** From this time (inclusive) … */
    from: isoDateTimeSchema.optional(),
    /** … to this time (exclusive). */
    to: isoDateTimeSchema.optional(),
  })
  .refine((f) => f.entityType !== undefined || (f.entityKey === undefined && f.entityId === undefined), {
    message: 'Choose an entity type with an entity key or id',
    path: ['entityType'],
  });
export type AuditFilters = z.infer<typeof auditFiltersSchema>;

/** Newest first. */
export const auditListInput = z.object({
  filters: auditFiltersSchema.default({}),
  limit: pageLimitSchema,
  cursor: cursorSchema,
});
export type AuditListInput = z.infer<typeof auditListInput>;

export const auditLogEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actorId: z.number().int().nullable(),
  /** null for events without a signed-in user (failed sign-ins, first start). */
  actor: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  /** The entity as people know it (bag code, bill number, username, device label); null when unknown. */
  entityLabel: z.string().nullable(),
  /** Snapshots; secrets are never stored and are dropped again on the way out. */
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  /** As stored: anonymised unless ANONYMIZE_IPS=false. */
  ip: z.string().nullable(),
  deviceId: z.string().nullable(),
  seq: z.number().int().nullable(),
});
export type AuditLogEntry = z.infer<typeof auditLogEntrySchema>;
export const auditListOutput = pageOf(auditLogEntrySchema);
