import type {
  DirectInboxFeedResponseItemsItem,
  DirectInboxFeedResponseThreadsItem,
  DirectInboxFeedResponseUsersItem,
  DirectThreadFeedResponseItemsItem,
} from 'instagram-private-api';

/**
 * A direct thread item. The library types only the common fields (item_id, user_id,
 * timestamp, item_type, text, link, reel_share, profile, placeholder); the media-bearing
 * fields below are what the same endpoints return for photos, videos, voice notes and shares.
 * They extend the library's own item type, so its fields keep their library-declared types.
 */
export interface IgImageCandidate {
  url: string;
  width: number;
  height: number;
}

export interface IgVideoVersion {
  url: string;
  width: number;
  height: number;
  type?: number;
  id?: string;
}

/** media_type: 1 photo, 2 video, 8 carousel, 11 audio. */
export interface IgMedia {
  id?: string | number;
  pk?: string | number;
  code?: string;
  media_type?: number;
  image_versions2?: { candidates: IgImageCandidate[] };
  video_versions?: IgVideoVersion[];
  original_width?: number;
  original_height?: number;
  caption?: { text?: string } | null;
  carousel_media?: IgMedia[];
  user?: { pk?: number; username?: string };
}

export interface IgVoiceMedia {
  media: { id?: string; media_type?: number; audio: { audio_src: string; duration?: number } };
}

export interface IgVisualMedia {
  media: IgMedia;
  view_mode?: 'once' | 'replayable' | 'permanent' | string;
}

export interface IgStoryLike {
  text?: string | null;
  type?: 'reply' | 'mention' | 'reaction' | 'reply_gif' | string;
  media?: IgMedia & { expiring_at?: number };
  /** Set on an expired story share instead of media. */
  message?: string;
}

export interface IgLocation {
  name?: string;
  address?: string;
  city?: string;
  lat?: number;
  lng?: number;
}

/**
 * Newer app versions send shares and mentions as "XMA" cards: a link and a preview image (in
 * `preview_url_info` today, `preview_url` in older cards), the shared post's author in
 * `header_title_text` and its caption in `caption_body_text`.
 */
export interface IgXma {
  target_url?: string;
  preview_url?: string;
  preview_url_info?: { url?: string; width?: number; height?: number };
  title_text?: string;
  header_title_text?: string;
  caption_body_text?: string;
}

export type IgThreadItem = DirectInboxFeedResponseItemsItem & {
  media?: IgMedia;
  voice_media?: IgVoiceMedia;
  visual_media?: IgVisualMedia;
  media_share?: IgMedia;
  clip?: { clip: IgMedia };
  felix_share?: { video: IgMedia; text?: string };
  story_share?: IgStoryLike;
  reel_share?: IgStoryLike;
  animated_media?: { id?: string };
  location?: IgLocation;
  like?: string;
  action_log?: { description?: string };
  xma_media_share?: IgXma[];
  xma_clip?: IgXma[];
  xma_felix_share?: IgXma[];
  xma_profile?: IgXma[];
  xma_link?: IgXma[];
  xma_reel_share?: IgXma[];
  xma_story_share?: IgXma[];
  xma_reel_mention?: IgXma[];
  generic_xma?: IgXma[];
};

/** Thread-feed items are the same items; the library merely types fewer fields. */
export function asThreadItem(item: DirectThreadFeedResponseItemsItem | DirectInboxFeedResponseItemsItem): IgThreadItem {
  return item;
}

export type IgThread = DirectInboxFeedResponseThreadsItem;
export type IgUser = Pick<DirectInboxFeedResponseUsersItem, 'pk' | 'username' | 'full_name'>;
