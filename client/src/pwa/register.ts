import { useRegisterSW } from 'virtual:pwa-register/solid';

const UPDATE_CHECK_MS = 60 * 60_000;

/** Registers the service worker; a new version waits until the user accepts the update prompt. */
export function useServiceWorker() {
  return useRegisterSW({
    immediate: true,
    onRegisteredSW(_url, registration) {
      if (registration) setInterval(() => void registration.update().catch(() => undefined), UPDATE_CHECK_MS);
    },
  });
}

/** Asks the browser not to evict our IndexedDB (the outbox) under storage pressure. */
export async function requestPersistentStorage(): Promise<boolean> {
  if (!navigator.storage?.persist) return false;
  if (await navigator.storage.persisted()) return true;
  return navigator.storage.persist().catch(() => false);
}
