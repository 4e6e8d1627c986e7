/**
 * `npm run restore -- --in FILE [--force]`: puts a backup back into DATABASE_URL, or into the
 * embedded Postgres (initialised when this machine has none yet).
 */
import { runMaintenanceCli } from './backup/cli';
import { restoreDatabase } from './backup/backup';

await runMaintenanceCli('restore', { in: { type: 'string' }, force: { type: 'boolean' } }, 'npm run restore -- --in FILE [--force]', (env, values) => {
  if (!values.in) return Promise.resolve(null);
  return restoreDatabase(env, String(values.in), { force: values.force === true }, console.warn);
});
