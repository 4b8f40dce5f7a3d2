/**
 * Turns text into search terms that work for Chinese and English alike, on PGlite and PostgreSQL
 * without extensions:
 * - Chinese runs are indexed three ways: jieba's search segmentation (whole words and their
 *   sub-words), every single character except a few function characters, and every pair of
 *   adjacent characters. A query word then matches as "all its character pairs", which does not
 *   depend on jieba segmenting the entry and the query the same way.
 * - Latin text goes to PostgreSQL's `english` configuration (lower case, stemming, stop words).
 */
import { createRequire } from 'node:module';
import type { Jieba } from '@node-rs/jieba';

// Loaded on first use, not at start-up: the dictionary is read and parsed when required.
const requireLazily = createRequire(import.meta.url);
let jieba: Jieba | undefined;
const segmenter = () =>
  (jieba ??= (requireLazily('@node-rs/jieba') as typeof import('@node-rs/jieba')).Jieba.withDict(
    (requireLazily('@node-rs/jieba/dict.js') as typeof import('@node-rs/jieba/dict.js')).dict,
  ));

const CJK_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
/** Characters too common to be useful alone; they still count inside words and pairs. */
const STOP_CHARS = new Set([...'的了是在和有就不也都而及与或之其这那个我你他她它们吗呢吧啊']);

export interface DocumentTerms {
  /** Space-separated Chinese terms for `to_tsvector('simple', …)`. */
  cjk: string;
  /** The rest, for `to_tsvector('english', …)`. */
  latin: string;
}

function cjkRuns(text: string): string[] {
  return text.match(CJK_RUN) ?? [];
}

function pairs(run: string): string[] {
  const chars = [...run];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

export function documentTerms(text: string): DocumentTerms {
  const terms: string[] = [];
  for (const run of cjkRuns(text)) {
    for (const word of segmenter().cutForSearch(run, true)) if ([...word].length > 2) terms.push(word);
    for (const ch of run) if (!STOP_CHARS.has(ch)) terms.push(ch);
    terms.push(...pairs(run));
  }
  return { cjk: terms.join(' '), latin: text.replace(CJK_RUN, ' ') };
}

export interface QueryPlan {
  /** A tsquery over the `simple` Chinese terms, or null when the query has no Chinese. */
  cjk: string | null;
  /** Latin words for `plainto_tsquery('english', …)` / `to_tsquery`, or null. */
  latinWords: string[];
  /** Whether every group must match (short queries) or any (sentences, ranked by coverage). */
  matchAll: boolean;
  /** The words to highlight in results. */
  highlights: string[];
}

const quote = (term: string) => `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** One group per query word: a Chinese word must have all its character pairs. */
export function planQuery(query: string): QueryPlan {
  const groups: string[] = [];
  const highlights: string[] = [];
  for (const run of cjkRuns(query)) {
    for (const word of segmenter().cut(run, true)) {
      const chars = [...word];
      if (chars.length === 1) {
        if (STOP_CHARS.has(word) && [...run].length > 1) continue;
        groups.push(quote(word));
      } else {
        groups.push(`(${pairs(word).map(quote).join(' & ')})`);
      }
      highlights.push(word);
    }
  }
  const latinWords = (query.replace(CJK_RUN, ' ').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 20);
  // Highlight the word's stem too, so "passwords" marks "password" as the stemmed search matched it.
  highlights.push(...latinWords.map((w) => (w.length > 4 ? w.replace(/(ing|ed|es|s)$/, '') : w)));
  const matchAll = groups.length + latinWords.length <= 3;
  return {
    cjk: groups.length ? groups.slice(0, 30).join(matchAll ? ' & ' : ' | ') : null,
    latinWords,
    matchAll,
    highlights,
  };
}
