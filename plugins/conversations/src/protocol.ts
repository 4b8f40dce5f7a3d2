/** The version of the conversation protocol (docs/protocol.md) this server speaks. */
export const PROTOCOL_VERSION = 1;
