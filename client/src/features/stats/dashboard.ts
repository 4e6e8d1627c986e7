import { api } from '../../api/trpc';

export const fetchDashboard = () => api.stats.dashboard.query();
