/**
 * The chat bundle, imported by the loader when the visitor opens the chat: mounts the window in the
 * loader's shadow root and wires the conversation to it, to the host page's events, to the launcher
 * badge and to the sound and title notifications.
 */
import type { ChatController, MountChat, PublicMessage } from '../contract.ts';
import { ChatWindow } from './chat-window.ts';
import { Conversation, type Profile } from './conversation.ts';
import { formatSize } from './dom.ts';
import { createNotifier } from './notify.ts';
import { loadPlugins } from './plugins.ts';
import { isOpenState, type Message } from './protocol.ts';
import { fill, STRINGS } from './strings.ts';

function publicMessage(m: Message): PublicMessage {
  return {
    id: m.id,
    sessionId: m.sessionId,
    seq: m.seq,
    from: m.sender.kind,
    type: m.type,
    ...(m.type === 'text' && typeof m.body.text === 'string' ? { text: m.body.text } : {}),
    createdAt: m.createdAt,
  };
}

function savedProfile(raw: string | null): Profile {
  try {
    const p = JSON.parse(raw ?? '{}') as Profile;
    return { name: typeof p.name === 'string' ? p.name : undefined, email: typeof p.email === 'string' ? p.email : undefined };
  } catch {
    return {};
  }
}

export const mount: MountChat = (bridge) => {
  const { settings } = bridge;
  const strings = STRINGS[settings.locale];
  const notifier = createNotifier();
  let open = false;
  let unread = 0;
  let readTimer: ReturnType<typeof setTimeout> | undefined;
  let preChatDone = false;
  let started = false;
  const viewing = () => open && document.visibilityState === 'visible';

  const setUnread = (n: number) => {
    unread = n;
    bridge.setUnread(n);
  };
  const markRead = () => {
    // Batched: a burst of messages is acknowledged once.
    clearTimeout(readTimer);
    readTimer = setTimeout(() => conversation.markRead(), 300);
  };
  const seen = () => {
    if (!viewing()) return;
    if (unread) setUnread(0);
    notifier.clear();
    markRead();
  };

  const conversation: Conversation = new Conversation(settings.server, settings.tenant, bridge, {
    status: (status) => view.setStatus(status),
    session: (session) => {
      view.setSession(session);
      bridge.setConversationActive(!!session && isOpenState(session.state));
    },
    entry: (entry, replaces) => view.upsert(entry, replaces),
    reset: () => view.reset(),
    typing: (name) => view.setTyping(name),
    live: (m) => {
      bridge.emit('message', publicMessage(m));
      if (m.sender.kind !== 'agent') return;
      if (viewing()) return markRead();
      setUnread(unread + 1);
      notifier.alert(unread, { one: strings.newMessage, many: (n) => fill(strings.newMessages, { n }) });
    },
    closed: (session) => bridge.emit('sessionClosed', { sessionId: session.id, code: session.code, state: session.state }),
  });
  conversation.config = bridge.tenantConfig;
  const profile = savedProfile(bridge.load('profile'));
  conversation.profile = { ...profile };

  const view: ChatWindow = new ChatWindow(bridge.root, settings, strings, conversation.api, {
    send: (text) => {
      conversation.stoppedTyping();
      conversation.sendText(text).catch(() => undefined); // a failure is shown on the message itself
    },
    files: (files) => {
      const max = conversation.config?.attachments?.maxBytes;
      for (const file of files) {
        if (max && file.size > max) view.notice(fill(strings.tooLarge, { name: file.name, size: formatSize(max) }));
        else conversation.sendFile(file).catch(() => undefined);
      }
    },
    typing: () => conversation.typing(),
    close: () => bridge.requestClose(),
    preChat: (answers) => {
      preChatDone = true;
      conversation.profile = answers;
      if (answers.name || answers.email) bridge.save('profile', JSON.stringify({ name: answers.name, email: answers.email }));
    },
    retry: (id) => conversation.retry(id),
    sendMessage: (type, body) => conversation.sendMessage(type, body).then(() => undefined),
  });

  /** Asks the pre-chat questions before a new session: once per visitor, or every time a topic is chosen. */
  const offerPreChat = () => {
    if (preChatDone || view.askingPreChat || (conversation.session && isOpenState(conversation.session.state))) return;
    if (!started) return;
    const preChat = settings.preChat;
    const groups = conversation.config?.skillGroups ?? [];
    const known = !!(profile.name || profile.email || bridge.identity?.name);
    if ((preChat.enabled && !known) || groups.length) view.showPreChat(preChat, groups, profile);
  };

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') conversation.wake();
    seen();
  });

  void conversation.start(bridge.identity).then(() => {
    started = true;
    const session = conversation.session;
    if (session && isOpenState(session.state) && session.unread > 0 && !viewing()) setUnread(session.unread);
    offerPreChat();
    seen();
    void loadPlugins(conversation.api, settings.locale, view);
  });

  const controller: ChatController = {
    setOpen(value) {
      open = value;
      view.setOpen(value);
      if (value) {
        offerPreChat();
        seen();
      }
    },
    identify: (identity) => conversation.identify(identity),
    sendText: (text) => conversation.sendText(text).then(() => undefined),
  };
  return controller;
};
