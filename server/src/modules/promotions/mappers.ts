import type { Promotion } from '@tracetrack/shared';
import type { PromotionRecord } from './queries';

export function toPromotion(row: PromotionRecord): Promotion {
  return {
    id: row.id,
    userId: row.user_id,
    username: row.username,
    currentRole: row.current_role,
    currentArea: row.current_area,
    role: row.role,
    area: row.area,
    reason: row.reason,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    decidedAt: row.decided_at ? row.decided_at.toISOString() : null,
    decidedBy: row.decided_by_username,
  };
}
