/** The tenant's settings of this plugin, with the manifest's defaults filled in. */
export interface ConversationSettings {
  widget: {
    title: string;
    color: string;
    position: 'left' | 'right';
    greeting: string;
    language: 'en' | 'zh-CN';
    preChat: { enabled: boolean; requireName: boolean; requireEmail: boolean };
    visitorChoosesGroup: boolean;
  };
  defaultCapacity: number;
  attachmentMaxBytes: number;
  /** A queued session is aborted once its visitor has had no socket and made no request for this long. */
  queuedVisitorAwaySeconds: number;
}

export async function readSettings(source: (tenantId: string) => Promise<Record<string, unknown>>, tenantId: string): Promise<ConversationSettings> {
  return (await source(tenantId)) as unknown as ConversationSettings;
}
