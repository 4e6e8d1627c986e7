import { localDb } from '../../local-db/db';
import { createLiveQuery } from '../../local-db/live-query';

export function useInbox() {
  return createLiveQuery(() => localDb.inbox.orderBy('receivedAt').reverse().toArray(), []);
}

export async function dismissRefusal(id: string): Promise<void> {
  await localDb.inbox.delete(id);
}
