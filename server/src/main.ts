import { runServer } from './cluster';
import { loadEnv } from './env';
import { createLogger } from './infra/logger';

const env = loadEnv();
const logger = createLogger(env.LOG_LEVEL);
try {
  await runServer(env, logger);
} catch (e) {
  logger.error('TraceTrack could not start', { error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}
