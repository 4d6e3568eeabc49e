/** A link as its writer meant it: a scheme or "www.", up to the next space. */
const LINK = /(?:https?:\/\/|www\.)\S+/gi;
/** What ends a sentence or a bracket after a link is no part of it ("lihat https://…/7K3M."). */
const TRAILING = /[.,;:!?)\]}"'»”’]+$/u;

/**
 * The links of a message to send, as link items name them. instagram-private-api's
 * `broadcastText` takes anything shaped like a domain for a link (url-regex-safe, `strict: false`),
 * inside a word too: an OPD's "Jl.Merdeka" gives "Jl.Me" and "diganti.Mohon" gives "diganti.Mo"
 * (.me and .mo are top-level domains), and a real link keeps the full stop after it. Sent as a
 * link item, a citizen's notice would point to strangers' sites. Only what is written as a link
 * counts here; everything else goes as plain text.
 */
export function linksIn(text: string): string[] {
  const links = [...text.matchAll(LINK)].map((m) => m[0].replace(TRAILING, '')).filter((u) => !/^(?:https?:\/\/|www\.)$/i.test(u));
  return [...new Set(links)];
}
