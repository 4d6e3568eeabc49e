import { createReadStream } from 'node:fs';

/**
 * The lines of a JSON-lines stream, split at '\n' only (a '\r' before it is left for
 * JSON.parse, which takes it as whitespace). node:readline also ends a line at U+2028, U+2029
 * and a lone '\r', and JSON.stringify leaves U+2028 and U+2029 unescaped: a complaint pasted
 * with one came out in pieces that no longer parsed. The last piece is given too (without its
 * '\n': a torn write, or a file written by hand).
 */
export async function* jsonLines(input: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  // Bytes (stdin) are decoded as a stream: a character split between two chunks stays whole.
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of input) {
    const lines = (rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))).split('\n');
    rest = lines.pop() ?? '';
    yield* lines;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

/** jsonLines of a file, opened when the first line is asked for. */
export async function* jsonLinesOf(path: string): AsyncGenerator<string> {
  yield* jsonLines(createReadStream(path, { encoding: 'utf8' }));
}
