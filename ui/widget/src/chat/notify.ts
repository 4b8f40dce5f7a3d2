/**
 * Tells a visitor who is not looking that an agent wrote: a short tone and a blinking page title
 * ("(2) New messages" / the page's own title) until the visitor comes back to the chat.
 */
export interface Notifier {
  alert(unread: number, text: { one: string; many: (n: number) => string }): void;
  clear(): void;
}

export function createNotifier(): Notifier {
  let audio: AudioContext | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let original = '';
  let shown = '';

  // Browsers allow sound only after a gesture on the page; the first click or key unlocks it.
  const unlock = () => {
    try {
      audio ??= new AudioContext();
      void audio.resume();
    } catch {
      // No Web Audio: silent notifications.
    }
  };
  if (navigator.userActivation?.hasBeenActive) unlock(); // e.g. the click on the launcher that loaded the chat
  document.addEventListener('pointerdown', unlock, { once: true, capture: true });
  document.addEventListener('keydown', unlock, { once: true, capture: true });

  const beep = () => {
    if (!audio || audio.state !== 'running') return;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.setValueAtTime(880, audio.currentTime);
    osc.frequency.setValueAtTime(1175, audio.currentTime + 0.12);
    gain.gain.setValueAtTime(0.0001, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.4);
  };

  const clear = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    // Put the page's title back unless the page changed it meanwhile.
    if (shown && document.title === shown) document.title = original;
    shown = '';
  };

  return {
    alert(unread, text) {
      beep();
      const message = unread > 1 ? text.many(unread) : text.one;
      if (!timer) original = document.title;
      else if (document.title !== shown) original = document.title;
      if (timer) clearInterval(timer);
      let on = true;
      shown = message;
      document.title = message;
      timer = setInterval(() => {
        on = !on;
        if (document.title !== shown) original = document.title; // the page retitled itself
        shown = on ? message : original;
        document.title = shown;
      }, 1000);
    },
    clear,
  };
}
