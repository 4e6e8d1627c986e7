/** Times and counts on the accounts screens, the way the app writes them everywhere: en-IN. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en-IN', { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-IN');
}
