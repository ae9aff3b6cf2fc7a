/**
 * A fetch that sends requests for a public endpoint to a local stand-in instead, so tests can use a
 * provider's default base URL (and see the exact paths the adapter builds on it).
 */
export function redirectFetch(from: string, to: string): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(from)) throw new Error(`unexpected request to ${url}`);
    return globalThis.fetch(to + url.slice(from.length), init);
  };
}

/** A fetch that answers every request with one JSON body, without a server (for property tests). */
export function jsonFetch(status: number, body: unknown): typeof fetch {
  return () =>
    Promise.resolve(
      new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      }),
    );
}
