/** Ids in URLs are checked before they reach SQL: PostgreSQL rejects a malformed uuid with an error, not "no row". */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);
