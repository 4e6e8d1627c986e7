import type { BagListInput } from '@tracetrack/shared';
import { api } from '../../api/trpc';

export const fetchBag = (code: string) => api.bag.get.query({ code });
export const fetchBags = (filters: Partial<BagListInput>) => api.bag.list.query({ limit: 50, ...filters });
