/** The three roles. Zod-free, so the handheld's bundle can read the permission table without zod. */
export const ROLES = ['admin', 'biller', 'dispatcher'] as const;
export type Role = (typeof ROLES)[number];
