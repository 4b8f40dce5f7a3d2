/** The host page's listeners, by event name. A listener that throws never breaks the widget. */
import type { WidgetEventName } from '../contract.ts';

export const EVENT_NAMES: readonly WidgetEventName[] = ['message', 'sessionClosed', 'open', 'close', 'ready'];

export type Listener = (data?: unknown) => void;

export interface Listeners {
  add(event: WidgetEventName, fn: Listener): () => void;
  remove(event: WidgetEventName, fn: Listener): void;
  emit(event: WidgetEventName, data?: unknown): void;
}

export function createListeners(): Listeners {
  const map = new Map<WidgetEventName, Set<Listener>>();
  const remove = (event: WidgetEventName, fn: Listener) => void map.get(event)?.delete(fn);
  return {
    add(event, fn) {
      let set = map.get(event);
      if (!set) map.set(event, (set = new Set()));
      set.add(fn);
      return () => remove(event, fn);
    },
    remove,
    emit(event, data) {
      for (const fn of [...(map.get(event) ?? [])]) {
        try {
          fn(data);
        } catch (err) {
          console.error(`[Parley] a "${event}" listener failed`, err);
        }
      }
    },
  };
}
