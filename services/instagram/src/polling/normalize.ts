import { truncateText } from '@aduan/conversation';
import type { IgImageCandidate, IgMedia, IgThreadItem, IgVideoVersion } from '../client/ig-item.ts';

/** A file to download into attachment storage. */
export interface MediaRef {
  url: string;
  kind: 'image' | 'video' | 'audio';
}

export interface NormalizedLocation {
  description?: string;
  lat?: number;
  lon?: number;
}

/**
 * What one thread item means for a complaint, before media is downloaded. `text` is what
 * the citizen wrote; `note` says what else they sent (a shared post's link, a story mention)
 * in words an OPD officer can read. `incidental`: no complaint on its own (a story mention
 * without words: a shop's birthday story tags the city too), though evidence for one sent with it.
 */
export type Normalized =
  | { kind: 'message'; itemType: string; text?: string; note?: string; media: MediaRef[]; location?: NormalizedLocation; incidental?: true }
  | { kind: 'skip'; itemType: string; reason: SkipReason };

export type SkipReason = 'own' | 'reaction' | 'action_log' | 'placeholder' | 'sticker' | 'empty' | 'unknown_type';

const IGNORED: Record<string, SkipReason> = {
  like: 'reaction',
  reaction: 'reaction',
  reaction_log: 'reaction',
  user_reaction: 'reaction',
  reel_react: 'reaction',
  action_log: 'action_log',
  video_call_event: 'action_log',
  title: 'action_log',
  history_edit: 'action_log',
  deletion: 'action_log',
  placeholder: 'placeholder',
  expired_placeholder: 'placeholder',
  animated_media: 'sticker',
  static_sticker: 'sticker',
  selfie_sticker: 'sticker',
};

const area = (c: { width: number; height: number }) => (Number(c.width) || 0) * (Number(c.height) || 0);

/**
 * The private API's shapes drift: a list may come as null or an object, an entry as null, a
 * field as another type. Anything that is not what we read is treated as absent, never thrown on.
 */
const list = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v : []);
const hasUrl = <T extends { url: string }>(c: T | null | undefined): c is T => typeof c?.url === 'string' && c.url !== '';

function largest<T extends { url: string; width: number; height: number }>(cands: T[] | null | undefined): T | undefined {
  return list(cands).reduce<T | undefined>((best, c) => (hasUrl(c) && (!best || area(c) > area(best)) ? c : best), undefined);
}

export function bestImage(m: IgMedia | undefined): IgImageCandidate | undefined {
  return largest(m?.image_versions2?.candidates);
}

export function bestVideo(m: IgMedia | undefined): IgVideoVersion | undefined {
  return largest(m?.video_versions);
}

/** The files a media object carries: the video when there is one, else the photo; carousels give each. */
export function mediaRefs(m: IgMedia | undefined): MediaRef[] {
  if (!m) return [];
  const carousel = list(m.carousel_media);
  if (carousel.length) return carousel.flatMap((c) => (c && typeof c === 'object' ? mediaRefs(c) : []));
  const video = bestVideo(m);
  if (video) return [{ url: video.url, kind: 'video' }];
  const image = bestImage(m);
  return image ? [{ url: image.url, kind: 'image' }] : [];
}

function postUrl(m: IgMedia | undefined, path: 'p' | 'reel' | 'tv'): string | undefined {
  return typeof m?.code === 'string' && /^[\w-]+$/.test(m.code) ? `https://www.instagram.com/${path}/${m.code}/` : undefined;
}

function clean(s: string | null | undefined): string | undefined {
  const t = typeof s === 'string' ? s.trim() : undefined;
  return t ? t : undefined;
}

function message(itemType: string, parts: Omit<Extract<Normalized, { kind: 'message' }>, 'kind' | 'itemType'>): Normalized {
  const m: Normalized = { kind: 'message', itemType, media: parts.media };
  if (parts.text) m.text = parts.text;
  if (parts.note) m.note = parts.note;
  if (parts.location) m.location = parts.location;
  if (parts.incidental) m.incidental = true;
  if (!m.text && !m.note && m.media.length === 0 && !m.location) return { kind: 'skip', itemType, reason: 'empty' };
  return m;
}

/**
 * Maps a thread item to the channel-neutral meaning. Pure: no I/O, no logging. `viewerId`
 * is our own account's pk: our own items (replies we sent) are skipped.
 */
export function normalizeItem(item: IgThreadItem, viewerId: string): Normalized {
  const t = String(item.item_type);
  if (String(item.user_id) === viewerId) return { kind: 'skip', itemType: t, reason: 'own' };
  // Own keys only: an item_type of "constructor" is not a known type.
  const ignored = Object.hasOwn(IGNORED, t) ? IGNORED[t] : undefined;
  if (ignored) return { kind: 'skip', itemType: t, reason: ignored };
  switch (t) {
    case 'text':
      return message(t, { text: clean(item.text), media: [] });
    case 'link':
      return message(t, { text: clean(item.link?.text) ?? clean(item.text), media: [] });
    case 'media':
      return message(t, { text: clean(item.text), media: mediaRefs(item.media) });
    case 'raven_media': {
      // Camera photos/videos (including view-once). An already-viewed one has no id and no URLs.
      const refs = mediaRefs(item.visual_media?.media);
      return message(t, { media: refs, note: refs.length ? undefined : 'Foto/video sekali lihat (tidak dapat diunduh).' });
    }
    case 'voice_media': {
      const audio = item.voice_media?.media?.audio?.audio_src;
      const src = typeof audio === 'string' && audio !== '' ? audio : undefined;
      return message(t, { media: src ? [{ url: src, kind: 'audio' }] : [], note: src ? undefined : 'Pesan suara (tidak dapat diunduh).' });
    }
    case 'media_share': {
      const url = postUrl(item.media_share, 'p');
      return message(t, { text: clean(item.text), note: `Membagikan kiriman Instagram${url ? `: ${url}` : ''}`, media: mediaRefs(item.media_share) });
    }
    case 'clip': {
      const url = postUrl(item.clip?.clip, 'reel');
      return message(t, { text: clean(item.text), note: `Membagikan reels${url ? `: ${url}` : ''}`, media: mediaRefs(item.clip?.clip) });
    }
    case 'felix_share': {
      const url = postUrl(item.felix_share?.video, 'tv');
      return message(t, { text: clean(item.felix_share?.text), note: `Membagikan video${url ? `: ${url}` : ''}`, media: mediaRefs(item.felix_share?.video) });
    }
    case 'story_share': {
      const s = item.story_share;
      const expired = !s?.media;
      return message(t, { text: clean(s?.text), note: expired ? 'Membagikan story (sudah kedaluwarsa).' : 'Membagikan story.', media: mediaRefs(s?.media) });
    }
    case 'reel_share': {
      const r = item.reel_share;
      if (r?.type === 'reaction') return { kind: 'skip', itemType: t, reason: 'reaction' };
      if (r?.type === 'mention') {
        // Someone tagged our account in their story: evidence when they also say what and where;
        // without a word, anything (a shop's birthday story) and no complaint on its own.
        const text = clean(r.text);
        return message(t, { text, note: 'Menyebut akun kami di story.', media: mediaRefs(r.media), ...(text ? {} : { incidental: true as const }) });
      }
      // A reply to one of our stories: the words are the complaint; the story is ours.
      const ourStory = r?.media?.user && String(r.media.user.pk) === viewerId;
      return message(t, { text: clean(r?.text), note: 'Membalas story.', media: ourStory ? [] : mediaRefs(r?.media) });
    }
    case 'location': {
      const l = item.location;
      // The complaint contract keeps 500 characters of a place's description.
      const description = truncateText([l?.name, l?.address, l?.city].map(clean).filter(Boolean).join(', '), 500).trim();
      const loc: NormalizedLocation = {};
      if (description) loc.description = description;
      if (typeof l?.lat === 'number' && typeof l?.lng === 'number' && Math.abs(l.lat) <= 90 && Math.abs(l.lng) <= 180) {
        loc.lat = l.lat;
        loc.lon = l.lng;
      }
      return message(t, { note: `Membagikan lokasi${description ? `: ${description}` : ''}`, media: [], location: loc });
    }
    case 'profile': {
      const u = item.profile?.username;
      return message(t, { note: u ? `Membagikan profil: https://www.instagram.com/${u}/` : 'Membagikan profil.', media: [] });
    }
    case 'xma_media_share':
    case 'xma_reel_share':
    case 'xma_story_share':
    case 'xma_reel_mention':
    case 'generic_xma':
      return xma(t, item);
    default:
      return { kind: 'skip', itemType: t, reason: 'unknown_type' };
  }
}

const XMA_NOTE: Record<string, string> = {
  xma_media_share: 'Membagikan kiriman Instagram',
  xma_reel_share: 'Membalas story',
  xma_story_share: 'Membagikan story',
  xma_reel_mention: 'Menyebut akun kami di story',
  generic_xma: 'Membagikan tautan',
};

/** XMA cards (newer app versions): the link becomes the note, the preview image the attachment. */
function xma(t: string, item: IgThreadItem): Normalized {
  const key = t as 'xma_media_share' | 'xma_reel_share' | 'xma_story_share' | 'xma_reel_mention' | 'generic_xma';
  const card = list(item[key])[0];
  const url = clean(card?.target_url);
  const media: MediaRef[] = typeof card?.preview_url === 'string' && card.preview_url !== '' && t !== 'xma_reel_share' ? [{ url: card.preview_url, kind: 'image' }] : [];
  const text = clean(item.text);
  // A story mention without words, as reel_share's: no complaint on its own.
  const incidental = t === 'xma_reel_mention' && !text;
  return message(t, { text, note: `${XMA_NOTE[t] ?? 'Membagikan'}${url ? `: ${url}` : '.'}`, media, ...(incidental ? { incidental: true as const } : {}) });
}
