/**
 * What clients see of packs. Image URLs are relative to the Parley server (the widget prefixes its
 * server origin) and name the tenant by slug, because an <img> cannot send a token: the images are
 * public to whoever holds their unguessable id, like any attachment link, and never change.
 */
import type { Emoji, Pack } from './pack-service.ts';

export interface EmojiView {
  id: string;
  name: string;
  animated: boolean;
  width: number;
  height: number;
  url: string;
  thumbUrl: string;
}

export interface PackView {
  id: string;
  name: string;
  emoji: EmojiView[];
}

export interface AdminEmojiView extends EmojiView {
  format: Emoji['format'];
  size: number;
}

export interface AdminPackView {
  id: string;
  name: string;
  position: number;
  createdAt: string;
  emoji: AdminEmojiView[];
}

export function emojiUrls(slug: string, emojiId: string): { url: string; thumbUrl: string } {
  const url = `/api/custom-emoji/public/${encodeURIComponent(slug)}/emoji/${emojiId}`;
  return { url, thumbUrl: `${url}/thumb` };
}

export function emojiView(slug: string, e: Emoji): EmojiView {
  return { id: e.id, name: e.name, animated: e.animated, width: e.width, height: e.height, ...emojiUrls(slug, e.id) };
}

/** For pickers (agents and visitors): names and images, nothing else. */
export function packView(slug: string, p: Pack): PackView {
  return { id: p.id, name: p.name, emoji: p.emoji.map((e) => emojiView(slug, e)) };
}

export function adminPackView(slug: string, p: Pack): AdminPackView {
  return {
    id: p.id,
    name: p.name,
    position: p.position,
    createdAt: p.createdAt,
    emoji: p.emoji.map((e) => ({ ...emojiView(slug, e), format: e.format, size: e.size })),
  };
}
