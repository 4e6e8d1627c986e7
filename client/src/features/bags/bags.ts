import type { BagListInput } from '@tracetrack/shared';
import { api } from '../trpc-client';

export const fetchBag = (code: string) => api.bag.get.query({ code });
export const fetchBags = (filters: Partial<BagListInput>) => api.bag.list.query({ limit: 50, ...filters });

/** Admins move a parent, its children with it, to another dispatch area (audited). */
export const moveParentToArea = (code: string, area: string) => api.bag.setArea.mutate({ code, area });
