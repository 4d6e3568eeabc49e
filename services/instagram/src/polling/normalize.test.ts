import { describe, expect, it } from 'vitest';
import { makeItems, VIEWER_ID } from '../testing/ig-fixtures.ts';
import { normalizeItem } from './normalize.ts';

const citizen = 5550001;
const items = makeItems(citizen, Date.parse('2026-03-01T09:00:00Z'), (p) => `https://cdn.test${p}`);
const viewer = String(VIEWER_ID);

describe('normalizeItem', () => {
  it('text and links keep the citizen words', () => {
    expect(normalizeItem(items.text, viewer)).toEqual({ kind: 'message', itemType: 'text', text: 'Lampu PJU di Jl. Kalimantan mati sejak seminggu', media: [] });
    expect(normalizeItem(items.link, viewer)).toMatchObject({ kind: 'message', text: 'lihat https://maps.app.goo.gl/abc' });
  });

  it('photos, videos and camera shots give the largest version to download', () => {
    expect(normalizeItem(items.photo, viewer)).toMatchObject({ media: [{ url: 'https://cdn.test/photo.png', kind: 'image' }] });
    expect(normalizeItem(items.video, viewer)).toMatchObject({ media: [{ url: 'https://cdn.test/video.mp4', kind: 'video' }] });
    expect(normalizeItem(items.camera, viewer)).toMatchObject({ media: [{ url: 'https://cdn.test/camera.png', kind: 'image' }] });
    expect(normalizeItem(items.voice, viewer)).toMatchObject({ media: [{ url: 'https://cdn.test/voice.m4a', kind: 'audio' }] });
  });

  it('shared posts and reels carry their link, author, caption and media', () => {
    expect(normalizeItem(items.post, viewer)).toMatchObject({
      note: 'Membagikan kiriman Instagram dari @info.blitar: https://www.instagram.com/p/CpOsT123/',
      caption: 'Jalan berlubang di Jl. Cemara, depan SDN Sananwetan 2 #blitar',
      media: [{ kind: 'image' }],
    });
    expect(normalizeItem(items.reel, viewer)).toMatchObject({ note: 'Membagikan reels: https://www.instagram.com/reel/CrEeL456/', media: [{ kind: 'video' }] });
    expect(normalizeItem({ ...items.post, media_share: { ...items.post.media_share, caption: { text: 'x'.repeat(3000) } } }, viewer)).toMatchObject({ caption: expect.stringMatching(/^x{999}…$/) });
  });

  it('shares of the current app: a reel card with its cover, author and caption; a view-once photo as visual_media', () => {
    expect(normalizeItem(items.reelCard, viewer)).toEqual({
      kind: 'message',
      itemType: 'xma_clip',
      note: 'Membagikan reels dari @info.blitar: https://www.instagram.com/reel/CrEeL789/?id=1_2',
      caption: 'Banjir setinggi lutut di Jl. Kenari pagi ini',
      media: [{ url: 'https://cdn.test/reel-cover.png', kind: 'image' }],
    });
    expect(normalizeItem(items.viewOnce, viewer)).toMatchObject({ kind: 'message', itemType: 'visual_media', media: [{ url: 'https://cdn.test/view-once.png', kind: 'image' }] });
    // An album shared as generic_xma: a card per photo.
    const album = { ...items.text, item_type: 'generic_xma', text: undefined, generic_xma: [1, 2].map((i) => ({ target_url: 'https://www.instagram.com/p/AlBuM1/', preview_url_info: { url: `https://cdn.test/album-${i}.jpg` } })) };
    expect(normalizeItem(album, viewer)).toMatchObject({ note: 'Membagikan tautan: https://www.instagram.com/p/AlBuM1/', media: [{ url: 'https://cdn.test/album-1.jpg' }, { url: 'https://cdn.test/album-2.jpg' }] });
    // A profile card: its link, not its profile picture.
    const profile = { ...items.text, item_type: 'xma_profile', text: undefined, xma_profile: [{ target_url: 'https://www.instagram.com/dishub.blitar/', header_title_text: 'dishub.blitar', preview_url_info: { url: 'https://cdn.test/pp.jpg' } }] };
    expect(normalizeItem(profile, viewer)).toEqual({ kind: 'message', itemType: 'xma_profile', note: 'Membagikan profil: https://www.instagram.com/dishub.blitar/', media: [] });
  });

  it('a story reply keeps the words but not our own story; a mention keeps the citizen story', () => {
    expect(normalizeItem(items.storyReply, viewer)).toEqual({ kind: 'message', itemType: 'reel_share', text: 'Pak, sampah di sini belum diangkut', note: 'Membalas story.', media: [] });
    expect(normalizeItem(items.mention, viewer)).toMatchObject({ note: 'Menyebut akun kami di story.', media: [{ url: 'https://cdn.test/mention.png' }] });
    expect(normalizeItem(items.storyShare, viewer)).toMatchObject({ note: 'Membagikan story.', media: [{ kind: 'image' }] });
  });

  it('a story mention without words is only incidental: no complaint alone, evidence within one', () => {
    expect(normalizeItem(items.mention, viewer)).toMatchObject({ kind: 'message', incidental: true });
    const withWords = { ...items.mention, reel_share: { ...items.mention.reel_share!, text: 'Pak, jalan di depan rumah saya berlubang' } };
    expect(normalizeItem(withWords, viewer)).not.toHaveProperty('incidental');
    const card = { ...items.text, item_type: 'xma_reel_mention', text: undefined, xma_reel_mention: [{ target_url: 'https://www.instagram.com/stories/toko/1/', preview_url: 'https://cdn.test/xma.jpg' }] };
    expect(normalizeItem(card, viewer)).toMatchObject({ kind: 'message', incidental: true });
    expect(normalizeItem({ ...card, text: 'Trotoar rusak di Jl. Merdeka' }, viewer)).not.toHaveProperty('incidental');
    // A shared post or story the citizen sends on purpose is no mention: it stays a message.
    expect(normalizeItem(items.storyShare, viewer)).not.toHaveProperty('incidental');
  });

  it('XMA cards (newer app versions) keep the link and the preview', () => {
    const card = { ...items.text, item_type: 'xma_reel_mention', text: undefined, xma_reel_mention: [{ target_url: 'https://www.instagram.com/stories/warga/1/', preview_url: 'https://cdn.test/xma.jpg' }] };
    expect(normalizeItem(card, viewer)).toEqual({ kind: 'message', itemType: 'xma_reel_mention', note: 'Menyebut akun kami di story: https://www.instagram.com/stories/warga/1/', media: [{ url: 'https://cdn.test/xma.jpg', kind: 'image' }], incidental: true });
  });

  it('a shared location becomes a location', () => {
    expect(normalizeItem(items.location, viewer)).toMatchObject({ location: { description: 'Alun-Alun Kota Blitar, Jl. Merdeka', lat: -8.0983, lon: 112.1681 } });
  });

  it('skips own items, likes, action logs and unknown types', () => {
    expect(normalizeItem({ ...items.text, user_id: VIEWER_ID }, viewer)).toEqual({ kind: 'skip', itemType: 'text', reason: 'own' });
    expect(normalizeItem(items.like, viewer)).toMatchObject({ kind: 'skip', reason: 'reaction' });
    expect(normalizeItem(items.actionLog, viewer)).toMatchObject({ kind: 'skip', reason: 'action_log' });
    expect(normalizeItem(items.unknown, viewer)).toEqual({ kind: 'skip', itemType: 'hologram_share', reason: 'unknown_type' });
    expect(normalizeItem({ ...items.like, item_type: 'avatar_sticker' }, viewer)).toMatchObject({ kind: 'skip', reason: 'sticker' });
    expect(normalizeItem({ ...items.like, item_type: 'avatar_reaction' }, viewer)).toMatchObject({ kind: 'skip', reason: 'reaction' });
    expect(normalizeItem({ ...items.text, text: '   ' }, viewer)).toMatchObject({ kind: 'skip', reason: 'empty' });
  });

  it('an already viewed view-once photo or video is a file not stored (not words of the citizen), not silently dropped', () => {
    const seen = { ...items.camera, visual_media: { view_mode: 'once', media: { media_type: 1 } } };
    const photo = normalizeItem(seen, viewer);
    expect(photo).toMatchObject({ kind: 'message', media: [], failed: [{ kind: 'image', reason: 'download-failed' }] });
    expect(photo).not.toHaveProperty('note');
    expect(normalizeItem({ ...seen, visual_media: { view_mode: 'once', media: { media_type: 2 } } }, viewer)).toMatchObject({ failed: [{ kind: 'video', reason: 'download-failed' }] });
  });
});
