/**
 * Runs a round of work per key, one at a time. A call made while a round runs does not start a
 * second one beside it: it asks for one more round after the current, which serves every call made
 * meanwhile. Each call resolves once a round that began after it is done, so none goes unserved.
 * Routing uses it per tenant: its rounds wait for the same rows, so side by side they would only
 * hold connections.
 */
export class CoalescedRounds {
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();

  constructor(private readonly round: (key: string) => Promise<void>) {}

  run(key: string): Promise<void> {
    const current = this.running.get(key);
    if (current) {
      current.again = true;
      return current.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    this.running.set(key, entry);
    entry.done = this.rounds(key, entry);
    return entry.done;
  }

  private async rounds(key: string, entry: { again: boolean }): Promise<void> {
    try {
      do {
        entry.again = false;
        await this.round(key);
      } while (entry.again);
    } finally {
      // No await since the last check: a call cannot slip in between and go unserved.
      this.running.delete(key);
    }
  }
}
