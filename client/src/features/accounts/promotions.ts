import type { Promotion, PromotionRequestInput } from '@tracetrack/shared';
import { api } from '../../api/trpc';
import { attempt, type Outcome } from './users';

export const requestPromotion = (input: PromotionRequestInput): Promise<Outcome<Promotion>> => attempt(() => api.promotion.request.mutate(input));
/** The caller's latest request (pending or decided), or null. */
export const fetchMyPromotion = () => attempt(() => api.promotion.mine.query());
export const fetchPendingPromotions = () => attempt(() => api.promotion.list.query({ status: 'pending', limit: 50 }));
export const decidePromotion = (id: number, approve: boolean, area?: string) =>
  attempt(() => api.promotion.decide.mutate({ id, approve, ...(area ? { area } : {}) }));
