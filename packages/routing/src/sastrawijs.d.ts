// sastrawijs ships .d.ts files but its package.json "exports" hides them from TypeScript's
// bundler resolution; this declares the part we use (see node_modules/sastrawijs/dist/stemmer.d.ts).
declare module 'sastrawijs' {
  export class Stemmer {
    constructor(dictionary?: string[]);
    stem(word: string): string;
    find(word: string): boolean;
    addToDict(words: string[]): void;
    remove(words: string[]): void;
  }
}
