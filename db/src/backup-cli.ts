/**
 * `npm run backup -- --out FILE`: a pg_dump custom-format archive of DATABASE_URL, or of the
 * embedded Postgres the server uses when it is unset (the running one, or started for the dump).
 */
import { runMaintenanceCli } from './backup/cli';
import { backupDatabase } from './backup/backup';

await runMaintenanceCli('backup', { out: { type: 'string' } }, 'npm run backup -- --out FILE', async (env, values) => {
  if (!values.out) return null;
  return (await backupDatabase(env, String(values.out), console.warn)).message;
});
