import { api } from '../trpc-client';

export const fetchDashboard = () => api.stats.dashboard.query();
