import { useSyncExternalStore } from 'react';

const subscribe = () => () => {};

/**
 * False in the server's HTML and until React has hydrated the calling component, true after. A button
 * whose work is JavaScript stays disabled until then: a click that comes first is lost (on a busy
 * machine the page shows for seconds before it hydrates), and a form submitted first would be sent as
 * a plain GET with its fields, a password included, in the URL.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
