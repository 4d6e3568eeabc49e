import type {
  AccountRepositoryLoginErrorResponse,
  CheckpointResponse,
  DirectInboxFeedResponseInviter,
  DirectInboxFeedResponseItemsItem,
  DirectInboxFeedResponseThreadsItem,
  DirectInboxFeedResponseUsersItem,
  DirectThreadFeedResponseItemsItem,
  IgResponse,
  SpamResponse,
} from 'instagram-private-api';
import type { IgThreadItem } from '../client/ig-item.ts';

/**
 * Objects typed with instagram-private-api's own response types. Every required field the
 * library declares is filled, so when a library upgrade adds, renames or retypes a field,
 * these stop compiling (`pnpm typecheck`), which is the point.
 */
export const VIEWER_ID = 4011223344;

export function userOf(pk: number, username: string, fullName: string): DirectInboxFeedResponseUsersItem {
  return {
    pk,
    username,
    full_name: fullName,
    is_private: false,
    profile_pic_url: `https://cdn.example.invalid/${pk}.jpg`,
    friendship_status: { following: false, blocking: false, is_private: false, incoming_request: false, outgoing_request: false, is_bestie: false },
    is_verified: false,
    has_anonymous_profile_picture: false,
    is_directapp_installed: false,
  };
}

function inviterOf(u: DirectInboxFeedResponseUsersItem): DirectInboxFeedResponseInviter {
  return { pk: u.pk, username: u.username, full_name: u.full_name, is_private: u.is_private, profile_pic_url: u.profile_pic_url, is_verified: false, has_anonymous_profile_picture: false };
}

/** Microsecond timestamp string, as Instagram sends it. */
export function usAt(ms: number): string {
  return `${BigInt(ms) * 1000n}`;
}

export function textItem(itemId: string, userId: number, atMs: number, text: string): DirectInboxFeedResponseItemsItem {
  return { item_id: itemId, user_id: userId, timestamp: usAt(atMs), item_type: 'text', text, client_context: `cc-${itemId}` };
}

/** A thread-feed item (the library types fewer fields for these). */
export function threadFeedTextItem(itemId: string, userId: number, atMs: number, text: string): DirectThreadFeedResponseItemsItem {
  return { item_id: itemId, user_id: userId, timestamp: usAt(atMs), item_type: 'text', text, client_context: `cc-${itemId}` };
}

export interface ThreadSpec {
  threadId: string;
  user: DirectInboxFeedResponseUsersItem;
  /** Newest first, as the inbox returns them. */
  items: IgThreadItem[];
  pending?: boolean;
  hasOlder?: boolean;
  isGroup?: boolean;
}

export function threadOf(spec: ThreadSpec): DirectInboxFeedResponseThreadsItem {
  const newest = spec.items[0];
  const last = newest ?? textItem('none', VIEWER_ID, 0, '');
  return {
    thread_id: spec.threadId,
    thread_v2_id: `v2-${spec.threadId}`,
    users: [spec.user],
    left_users: [],
    admin_user_ids: [],
    items: spec.items,
    last_activity_at: newest ? String(newest.timestamp) : '0',
    muted: false,
    is_pin: false,
    named: false,
    canonical: true,
    pending: spec.pending ?? false,
    archived: false,
    valued_request: false,
    thread_type: 'private',
    viewer_id: VIEWER_ID,
    thread_title: spec.user.username,
    pending_score: '0',
    folder: spec.pending ? 1 : 0,
    vc_muted: false,
    is_group: spec.isGroup ?? false,
    mentions_muted: false,
    inviter: inviterOf(spec.user),
    has_older: spec.hasOlder ?? false,
    has_newer: false,
    last_seen_at: {},
    newest_cursor: newest?.item_id ?? '',
    oldest_cursor: spec.items.at(-1)?.item_id ?? '',
    is_spam: false,
    last_permanent_item: { item_id: last.item_id, user_id: last.user_id, timestamp: String(last.timestamp), item_type: last.item_type },
  };
}

/**
 * The library's error classes take the HTTP response they were raised from; only its request
 * line, status and body are read. This builds that much (the one cast in these fixtures).
 */
export function igResponse<T extends object>(body: T, statusCode = 400): IgResponse<T> {
  return { body, statusCode, statusMessage: 'Bad Request', request: { method: 'GET', uri: { path: '/api/v1/direct_v2/inbox/' } }, headers: {} } as unknown as IgResponse<T>;
}

export const checkpointBody: CheckpointResponse = {
  message: 'challenge_required',
  challenge: { url: 'https://i.instagram.com/challenge/1/abc/', api_path: '/challenge/1/abc/', hide_webview_header: true, lock: true, logout: false, native_flow: true },
  status: 'fail',
  error_type: 'checkpoint_challenge_required',
};

/**
 * Instagram throttling an account: HTTP 400 (sometimes 401) with this body; the library raises a
 * plain IgResponseError for it. The library declares no type for it.
 */
export const throttleBody = { message: 'Please wait a few minutes before you try again.', status: 'fail', error_type: 'rate_limit_error' };

/** error_type sentry_block: the library's IgSentryBlockError. */
export const sentryBlockBody = { message: 'Sorry, there was a problem with your request.', status: 'fail', error_type: 'sentry_block' };

export const spamBody: SpamResponse = {
  message: 'feedback_required',
  spam: true,
  feedback_title: 'Try Again Later',
  feedback_message: 'We restrict certain activity to protect our community. Tell us if you think we made a mistake.',
  feedback_url: 'repute/report_problem/instagram_message/',
  feedback_appeal_label: 'Tell us',
  feedback_ignore_label: 'OK',
  feedback_action: 'report_problem',
  status: 'fail',
};

/** Item builders for every kind of direct message a citizen sends (URLs point where the test says). */
export function makeItems(userId: number, atMs: number, url: (p: string) => string) {
  const base = (id: string, type: string, dt: number) => ({ item_id: id, user_id: userId, timestamp: usAt(atMs + dt), item_type: type });
  const image = (p: string) => ({ candidates: [{ url: url(`${p}-small`), width: 150, height: 150 }, { url: url(p), width: 1080, height: 1080 }] });
  const storyUser = { pk: userId, username: 'warga', full_name: 'Warga', is_private: false, profile_pic_url: '', profile_pic_id: '', is_verified: false, has_anonymous_profile_picture: false };
  const ownStoryUser = { ...storyUser, pk: VIEWER_ID, username: 'pemkotblitar' };
  const items = {
    text: { ...base('it-text', 'text', 0), text: 'Lampu PJU di Jl. Kalimantan mati sejak seminggu' } satisfies IgThreadItem,
    photo: { ...base('it-photo', 'media', 1), media: { id: '1', media_type: 1, image_versions2: image('/photo.png'), original_width: 1080, original_height: 1080 } } satisfies IgThreadItem,
    video: { ...base('it-video', 'media', 2), media: { id: '2', media_type: 2, image_versions2: image('/video-thumb.png'), video_versions: [{ url: url('/video.mp4'), width: 720, height: 1280, type: 101 }] } } satisfies IgThreadItem,
    camera: { ...base('it-camera', 'raven_media', 3), visual_media: { view_mode: 'replayable', media: { id: '3', media_type: 1, image_versions2: image('/camera.png') } } } satisfies IgThreadItem,
    voice: { ...base('it-voice', 'voice_media', 4), voice_media: { media: { id: '4', media_type: 11, audio: { audio_src: url('/voice.m4a'), duration: 5000 } } } } satisfies IgThreadItem,
    link: {
      ...base('it-link', 'link', 5),
      link: { text: 'lihat https://maps.app.goo.gl/abc', link_context: { link_url: 'https://maps.app.goo.gl/abc', link_title: '', link_summary: '', link_image_url: '' }, client_context: 'c', mutation_token: 'm' },
    } satisfies IgThreadItem,
    post: {
      ...base('it-post', 'media_share', 6),
      media_share: { id: '6', code: 'CpOsT123', media_type: 1, image_versions2: image('/post.png'), caption: { text: 'Jalan berlubang di Jl. Cemara,\n\ndepan SDN Sananwetan 2 #blitar' }, user: { pk: 7770001, username: 'info.blitar' } },
    } satisfies IgThreadItem,
    reel: { ...base('it-reel', 'clip', 7), clip: { clip: { id: '7', code: 'CrEeL456', media_type: 2, video_versions: [{ url: url('/reel.mp4'), width: 720, height: 1280 }] } } } satisfies IgThreadItem,
    storyReply: {
      ...base('it-story-reply', 'reel_share', 8),
      reel_share: { text: 'Pak, sampah di sini belum diangkut', type: 'reply', reel_owner_id: VIEWER_ID, is_reel_persisted: false, reel_type: 'user_reel', media: { user: ownStoryUser, expiring_at: 0, id: '8', image_versions2: image('/own-story.png') } },
    } satisfies IgThreadItem,
    mention: {
      ...base('it-mention', 'reel_share', 9),
      reel_share: { text: '', type: 'mention', reel_owner_id: userId, is_reel_persisted: false, reel_type: 'user_reel', media: { user: storyUser, expiring_at: 0, id: '9', image_versions2: image('/mention.png') } },
    } satisfies IgThreadItem,
    storyShare: { ...base('it-story-share', 'story_share', 10), story_share: { text: '', media: { id: '10', media_type: 1, image_versions2: image('/shared-story.png') } } } satisfies IgThreadItem,
    location: { ...base('it-location', 'location', 11), location: { name: 'Alun-Alun Kota Blitar', address: 'Jl. Merdeka', lat: -8.0983, lng: 112.1681 } } satisfies IgThreadItem,
    like: { ...base('it-like', 'like', 12), like: '❤️' } satisfies IgThreadItem,
    actionLog: { ...base('it-action', 'action_log', 13), action_log: { description: 'warga liked a message' } } satisfies IgThreadItem,
    unknown: { ...base('it-unknown', 'hologram_share', 14), text: 'rahasia pribadi' } satisfies IgThreadItem,
    // As the current app sends a shared reel: an XMA card, its cover under preview_url_info.
    reelCard: {
      ...base('it-reel-card', 'xma_clip', 15),
      xma_clip: [{ target_url: 'https://www.instagram.com/reel/CrEeL789/?id=1_2', header_title_text: 'info.blitar', caption_body_text: 'Banjir setinggi lutut di Jl. Kenari pagi ini', preview_url_info: { url: url('/reel-cover.png'), width: 480, height: 853 } }],
    } satisfies IgThreadItem,
    // A view-once photo as the current app sends it.
    viewOnce: { ...base('it-view-once', 'visual_media', 16), visual_media: { view_mode: 'once', media: { id: '16', media_type: 1, image_versions2: image('/view-once.png') } } } satisfies IgThreadItem,
  };
  return items;
}

/** A login error body (two-factor required, bad password, ...), typed by the library. */
export function loginErrorBody(over: Partial<AccountRepositoryLoginErrorResponse>): AccountRepositoryLoginErrorResponse {
  return {
    message: 'You need to enter the code.',
    invalid_credentials: false,
    two_factor_required: true,
    two_factor_info: {
      username: 'pemkotblitar',
      sms_two_factor_on: false,
      totp_two_factor_on: true,
      obfuscated_phone_number: '**12',
      two_factor_identifier: 'tfa-ident-1',
      show_messenger_code_option: false,
      show_new_login_screen: true,
      show_trusted_device_option: true,
      phone_verification_settings: { max_sms_count: 2, resend_sms_delay_sec: 60, robocall_count_down_time_sec: 30, robocall_after_max_sms: false },
    },
    error_title: '',
    buttons: [],
    status: 'fail',
    error_type: 'two_factor_required',
    phone_verification_settings: { max_sms_count: 2, resend_sms_delay_sec: 60, robocall_count_down_time_sec: 30, robocall_after_max_sms: false },
    ...over,
  };
}
