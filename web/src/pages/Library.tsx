import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, errorMessage } from '../api/client';
import type { ArticleSummary } from '../api/types';
import { Empty, ErrorMessage, Loading, PageTitle } from '../components/ui';
import { articleHref, href } from '../router';

export const ARTICLES_PATH = '/api/v1/articles';

/** Every word of the query must appear in the title, summary or tags. */
export function matchesQuery(a: ArticleSummary, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [a.title, a.summary, ...(a.tags ?? [])].join(' ').toLowerCase();
  return words.every((w) => text.includes(w));
}

export function Library({ initialQuery }: { initialQuery: string }) {
  const [articles, setArticles] = useState<ArticleSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState(initialQuery);

  useEffect(() => {
    const ctrl = new AbortController();
    api<{ items: ArticleSummary[] } | ArticleSummary[]>(ARTICLES_PATH, { signal: ctrl.signal })
      .then((body) => setArticles(Array.isArray(body) ? body : body.items))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(errorMessage(err));
      });
    return () => ctrl.abort();
  }, []);

  const shown = useMemo(
    () => (articles ?? []).filter((a) => matchesQuery(a, query)),
    [articles, query],
  );

  // Keep the search in the URL so it can be shared and survives reloads.
  function onSearch(value: string) {
    setQuery(value);
    const path = value ? `/library?q=${encodeURIComponent(value)}` : '/library';
    history.replaceState(null, '', href(path));
  }

  return (
    <section>
      <PageTitle>Education library</PageTitle>
      <p class="lead">
        Plain-language articles about isotretinoin, each with its sources and the date it was last
        checked.
      </p>
      <div class="search no-print" role="search">
        <label for="article-search">Search articles</label>
        <input
          id="article-search"
          type="search"
          value={query}
          placeholder="for example: lips, pregnancy, mood"
          onInput={(e) => onSearch(e.currentTarget.value)}
        />
      </div>
      <ErrorMessage message={error} />
      {!error && articles === null && <Loading label="Loading articles…" />}
      {articles !== null && (
        <>
          <p class="result-count" aria-live="polite">
            {shown.length === articles.length
              ? `${articles.length} articles`
              : `${shown.length} of ${articles.length} articles match “${query}”`}
          </p>
          {articles.length === 0 && <Empty>There are no articles yet.</Empty>}
          {articles.length > 0 && shown.length === 0 && (
            <Empty>No article matches your search. Try a shorter or different word.</Empty>
          )}
          <ul class="cards">
            {shown.map((a) => (
              <li key={a.id} class="card">
                <h2 class="card__title">
                  <a href={articleHref(a.id)}>{a.title}</a>
                </h2>
                <p>{a.summary}</p>
                {(a.tags ?? []).length > 0 && (
                  <ul class="tags" aria-label="Topics">
                    {a.tags.map((t) => (
                      <li key={t}>
                        <button type="button" class="tag" onClick={() => onSearch(t)}>
                          {t}
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
