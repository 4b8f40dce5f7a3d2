/** Everything the chat window says, in each shipped language. */
import type { Locale } from '../contract.ts';

const en = {
  title: 'Chat with us',
  close: 'Close chat',
  placeholder: 'Write a message…',
  send: 'Send',
  attach: 'Send an image or a file',
  connecting: 'Connecting…',
  reconnecting: 'Connection lost — reconnecting…',
  queued: 'Waiting for an agent…',
  queuedPosition: 'Waiting for an agent — you are number {n} in line',
  withAgent: 'You are chatting with {name}',
  typing: '{name} is typing…',
  ended: 'This conversation has ended.',
  sessionCode: 'Conversation ID: {code}',
  sending: 'Sending…',
  failed: 'Not sent. Tap to retry.',
  uploading: 'Uploading {name}…',
  unsupported: 'This message cannot be shown here.',
  imageAlt: 'Image: {name}',
  download: 'Download {name}',
  tooLarge: '{name} is larger than {size}.',
  newMessage: 'New message',
  newMessages: '({n}) New messages',
  errorUnavailable: 'Chat is not available right now.',
  system: {
    assigned: '{name} joined the conversation',
    transferred: 'You were transferred to {name}',
    transferredQueue: 'You were transferred to {group}; please wait for an agent',
    closedByAgent: 'The agent ended the conversation',
    closedByVisitor: 'You ended the conversation',
    closedBySystem: 'The conversation was closed',
    aborted: 'You left the queue',
  },
  preChat: {
    intro: 'Before we start, tell us who you are.',
    name: 'Name',
    email: 'Email',
    group: 'Topic',
    start: 'Start chat',
    skip: 'Skip',
    required: 'Please fill this in.',
    badEmail: 'Please enter a valid email address.',
  },
};

export type Strings = typeof en;

const zh: Strings = {
  title: '在线咨询',
  close: '关闭',
  placeholder: '请输入消息…',
  send: '发送',
  attach: '发送图片或文件',
  connecting: '正在连接…',
  reconnecting: '连接已断开，正在重新连接…',
  queued: '正在为您分配客服…',
  queuedPosition: '正在排队，您前面还有 {n} 位',
  withAgent: '客服 {name} 为您服务',
  typing: '{name} 正在输入…',
  ended: '本次会话已结束。',
  sessionCode: '会话ID：{code}',
  sending: '发送中…',
  failed: '发送失败，点击重试。',
  uploading: '正在上传 {name}…',
  unsupported: '暂不支持显示此消息。',
  imageAlt: '图片：{name}',
  download: '下载 {name}',
  tooLarge: '{name} 超过了 {size} 的大小限制。',
  newMessage: '新消息',
  newMessages: '【{n} 条新消息】',
  errorUnavailable: '在线咨询暂不可用。',
  system: {
    assigned: '客服 {name} 已接入',
    transferred: '您已被转接给 {name}',
    transferredQueue: '您已被转接到 {group}，请稍候',
    closedByAgent: '客服已结束会话',
    closedByVisitor: '您已结束会话',
    closedBySystem: '会话已关闭',
    aborted: '您已离开排队',
  },
  preChat: {
    intro: '开始咨询前，请留下您的信息。',
    name: '姓名',
    email: '邮箱',
    group: '咨询类型',
    start: '开始咨询',
    skip: '跳过',
    required: '此项必填。',
    badEmail: '请输入有效的邮箱地址。',
  },
};

export const STRINGS: Record<Locale, Strings> = { en, 'zh-CN': zh };

/** Fills `{name}` placeholders; values are inserted as text by the caller's DOM code, never as HTML. */
export function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}
