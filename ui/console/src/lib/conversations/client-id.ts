/** Client message ids (`[A-Za-z0-9_-]{1,64}`): random, so a retried send is recognised by the server. */
export function clientMsgId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
