import { truncateText, type FailedMedia } from '@aduan/conversation';
import type { IgImageCandidate, IgMedia, IgThreadItem, IgVideoVersion, IgXma } from '../client/ig-item.ts';

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
 * in words an OPD officer can read; `caption` is a shared post's own caption (its author's
 * words: often where the problem is). `incidental`: no complaint on its own (a story mention
 * without words: a shop's birthday story tags the city too), though evidence for one sent with it.
 */
export type Normalized =
  | { kind: 'message'; itemType: string; text?: string; note?: string; caption?: string; media: MediaRef[]; location?: NormalizedLocation; incidental?: true; failed?: FailedMedia[] }
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
  avatar_reaction: 'reaction',
  animated_media: 'sticker',
  static_sticker: 'sticker',
  selfie_sticker: 'sticker',
  store_sticker: 'sticker',
  avatar_sticker: 'sticker',
  animated_avatar_sticker: 'sticker',
  ai_sticker: 'sticker',
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

/** An Instagram username as it may be shown ("@info.blitar"); anything else is no handle. */
function handle(u: unknown): string | undefined {
  return typeof u === 'string' && /^[\w.]{1,30}$/.test(u) ? u : undefined;
}

/** A shared post's caption on one line, cut to a readable length (captions run to 2,200 characters). */
function caption(s: unknown): string | undefined {
  const t = typeof s === 'string' ? s.replace(/\s+/g, ' ').trim() : '';
  return t ? truncateText(t, 1000).trim() : undefined;
}

/** "Membagikan kiriman Instagram dari @info.blitar: https://…". */
function shareNote(what: string, author: string | undefined, url: string | undefined, end = ''): string {
  return `${what}${author ? ` dari @${author}` : ''}${url ? `: ${url}` : end}`;
}

function message(itemType: string, parts: Omit<Extract<Normalized, { kind: 'message' }>, 'kind' | 'itemType'>): Normalized {
  const m: Normalized = { kind: 'message', itemType, media: parts.media };
  if (parts.text) m.text = parts.text;
  if (parts.note) m.note = parts.note;
  if (parts.caption) m.caption = parts.caption;
  if (parts.location) m.location = parts.location;
  if (parts.incidental) m.incidental = true;
  if (parts.failed?.length) m.failed = parts.failed;
  if (!m.text && !m.note && m.media.length === 0 && !m.location && !m.failed) return { kind: 'skip', itemType, reason: 'empty' };
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
    case 'raven_media':
    case 'visual_media': {
      // Camera photos/videos (including view-once; the current app names them visual_media). An
      // already-viewed one has no id and no URLs: a file not stored (the citizen is asked to send
      // it again), not words of theirs that would file a complaint of nothing.
      const refs = mediaRefs(item.visual_media?.media);
      const kind = item.visual_media?.media?.media_type === 2 ? 'video' : 'image';
      return message(t, { media: refs, ...(refs.length ? {} : { failed: [{ kind, reason: 'download-failed' as const }] }) });
    }
    case 'voice_media': {
      const audio = item.voice_media?.media?.audio?.audio_src;
      const src = typeof audio === 'string' && audio !== '' ? audio : undefined;
      return message(t, { media: src ? [{ url: src, kind: 'audio' }] : [], ...(src ? {} : { failed: [{ kind: 'audio' as const, reason: 'download-failed' as const }] }) });
    }
    case 'media_share': {
      const m = item.media_share;
      return message(t, { text: clean(item.text), note: shareNote('Membagikan kiriman Instagram', handle(m?.user?.username), postUrl(m, 'p')), caption: caption(m?.caption?.text), media: mediaRefs(m) });
    }
    case 'clip': {
      const m = item.clip?.clip;
      return message(t, { text: clean(item.text), note: shareNote('Membagikan reels', handle(m?.user?.username), postUrl(m, 'reel')), caption: caption(m?.caption?.text), media: mediaRefs(m) });
    }
    case 'felix_share': {
      const m = item.felix_share?.video;
      return message(t, { text: clean(item.felix_share?.text), note: shareNote('Membagikan video', handle(m?.user?.username), postUrl(m, 'tv')), caption: caption(m?.caption?.text), media: mediaRefs(m) });
    }
    case 'story_share': {
      const s = item.story_share;
      const expired = !s?.media;
      const note = shareNote('Membagikan story', handle(s?.media?.user?.username), undefined, expired ? ' (sudah kedaluwarsa).' : '.');
      return message(t, { text: clean(s?.text), note, media: mediaRefs(s?.media) });
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
    default:
      if (Object.hasOwn(XMA, t)) return xma(t as XmaType, item);
      return { kind: 'skip', itemType: t, reason: 'unknown_type' };
  }
}

type XmaType = 'xma_media_share' | 'xma_clip' | 'xma_felix_share' | 'xma_story_share' | 'xma_profile' | 'xma_reel_share' | 'xma_reel_mention' | 'xma_link' | 'generic_xma';

/**
 * What each XMA card says, whether its preview is evidence (not our own story, a profile
 * picture or a web page's image), and whether it is a share of someone's post (its author and
 * caption are worth reading).
 */
const XMA: Record<XmaType, { note: string; preview: boolean; share: boolean }> = {
  xma_media_share: { note: 'Membagikan kiriman Instagram', preview: true, share: true },
  xma_clip: { note: 'Membagikan reels', preview: true, share: true },
  xma_felix_share: { note: 'Membagikan video', preview: true, share: true },
  xma_story_share: { note: 'Membagikan story', preview: true, share: true },
  xma_profile: { note: 'Membagikan profil', preview: false, share: false },
  xma_reel_share: { note: 'Membalas story', preview: false, share: false },
  xma_reel_mention: { note: 'Menyebut akun kami di story', preview: true, share: false },
  xma_link: { note: 'Membagikan tautan', preview: false, share: false },
  generic_xma: { note: 'Membagikan tautan', preview: true, share: false },
};

/** The card's preview image: `preview_url_info.url` in current cards, `preview_url` in older ones. */
function previewOf(card: IgXma | null | undefined): string | undefined {
  const info = card?.preview_url_info;
  const url = info && typeof info === 'object' ? info.url : undefined;
  if (typeof url === 'string' && url !== '') return url;
  return typeof card?.preview_url === 'string' && card.preview_url !== '' ? card.preview_url : undefined;
}

/**
 * XMA cards (newer app versions): the link becomes the note, the preview images the
 * attachments (an album shared as generic_xma is a card per photo).
 */
function xma(t: XmaType, item: IgThreadItem): Normalized {
  const spec = XMA[t];
  const cards = list(item[t]).filter((c): c is IgXma => typeof c === 'object' && c !== null);
  const card = cards[0];
  const url = clean(card?.target_url);
  const media: MediaRef[] = spec.preview ? [...new Set(cards.map(previewOf).filter((u): u is string => u !== undefined))].map((u) => ({ url: u, kind: 'image' as const })) : [];
  const author = spec.share ? handle(card?.header_title_text) : undefined;
  const words = spec.share ? caption(card?.caption_body_text ?? card?.title_text) : undefined;
  const text = clean(item.text);
  // A story mention without words, as reel_share's: no complaint on its own.
  const incidental = t === 'xma_reel_mention' && !text;
  return message(t, { text, note: shareNote(spec.note, author, url, '.'), caption: words !== author ? words : undefined, media, ...(incidental ? { incidental: true as const } : {}) });
}
