/** Short notices in the corner: confirmations and errors that do not belong to a form. */
export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  text: string;
}

export const toasts: Toast[] = $state([]);
let next = 1;

export function toast(text: string, kind: Toast['kind'] = 'info', ms = 4500) {
  const id = next++;
  toasts.push({ id, kind, text });
  setTimeout(() => dismiss(id), ms);
}

export function dismiss(id: number) {
  const i = toasts.findIndex((x) => x.id === id);
  if (i >= 0) toasts.splice(i, 1);
}
