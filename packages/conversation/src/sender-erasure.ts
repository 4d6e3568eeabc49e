import type { Redis } from 'ioredis';
import { senderIdHash, senderKeys } from './conversation-store.ts';

/**
 * How long a link an open conversation of the sender uses is kept after an erasure: that
 * conversation is filed well within it (CONVERSATION_MAX_OPEN, 30 minutes by default).
 */
export const LINK_IN_USE_SECONDS = 86_400;

/** One chat account of one channel: where the engine keeps what it knows of a sender. */
export interface SenderAddress {
  channel: string;
  account: string;
}

export interface SenderErasure {
  /** Keys linking the sender's ids (alias, alt) deleted, or that a dry run would delete. */
  links: number;
  /** Link keys an open conversation of the sender uses: kept, to expire within LINK_IN_USE_SECONDS. */
  linksKept: number;
  /** Markers of the last minutes deleted: the 112 notice said to the sender, the last notice into their chat. */
  markers: number;
}

/** An alt key's value: the status store's hash of the alternate id (anything else was not written by the engine). */
const HASH = /^[0-9a-f]{32}$/;

/**
 * Erases what the engine keeps of one sender on one account besides their tickets, for the
 * gateway's complaint:erase (UU No. 27/2022): the link between their ids (linkSender: WhatsApp's
 * phone-number JID and LID, kept 400 days; the alias key is the number's hash and names the LID in
 * clear, the alt key is the LID's and holds the number's hash) and the markers of the last minutes
 * (the 112 notice said, the last notice into their chat). `ids`: what the erased complaint names
 * them by (sender, chat, the phone number's JID); ids linked to those are followed from there, so
 * a complaint that names only the LID finds the number's alias through the LID's alt key.
 *
 * While a conversation of the sender is open (the start of a new complaint), the link is what
 * keeps it one: a message naming the number alone would open a second one. Then the link is kept,
 * but expires within LINK_IN_USE_SECONDS (a message naming both ids links them again, as for
 * anyone who writes), and the markers, which that conversation uses too, keep their minutes.
 * Run again, it finds nothing left to do.
 */
export async function eraseSenderTraces(redis: Redis, prefix: string, at: SenderAddress, ids: readonly string[], apply: boolean): Promise<SenderErasure> {
  const keysOf = (h: string) => senderKeys(prefix, at.channel, at.account, h);
  const out: SenderErasure = { links: 0, linksKept: 0, markers: 0 };
  const hashes = new Set(ids.map((id) => senderIdHash(at.channel, id)));
  if (hashes.size === 0) return out;
  for (let fresh = [...hashes]; fresh.length > 0; ) {
    const values = await redis.mget(...fresh.flatMap((h) => [keysOf(h).alias, keysOf(h).alt]));
    fresh = [];
    values.forEach((v, i) => {
      // An alias names the sender id its alternate stands for; an alt holds the alternate's hash.
      const h = v && (i % 2 === 0 ? senderIdHash(at.channel, v) : HASH.test(v) ? v : null);
      if (!h || hashes.has(h)) return;
      hashes.add(h);
      fresh.push(h);
    });
  }
  const all = [...hashes].map(keysOf);
  const open = (await redis.exists(...all.map((k) => k.open))) > 0;
  for (const key of all.flatMap((k) => [k.alias, k.alt])) {
    const ttl = await redis.ttl(key);
    if (ttl === -2) continue;
    if (!open) {
      out.links++;
      if (apply) await redis.del(key);
    } else if (ttl === -1 || ttl > LINK_IN_USE_SECONDS) {
      out.linksKept++;
      if (apply) await redis.expire(key, LINK_IN_USE_SECONDS);
    }
  }
  if (open) return out;
  for (const key of all.flatMap((k) => [k.emergency, k.noticed])) {
    if ((await redis.exists(key)) === 0) continue;
    out.markers++;
    if (apply) await redis.del(key);
  }
  return out;
}
