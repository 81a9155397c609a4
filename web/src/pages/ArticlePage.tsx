import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, errorMessage } from '../api/client';
import type { Article } from '../api/types';
import { ErrorMessage, Loading, PageTitle, PrintButton } from '../components/ui';
import { renderMarkdown, withoutLeadingTitle } from '../markdown';
import { href } from '../router';
import { ARTICLES_PATH } from './Library';

const JURISDICTION_NAMES: Record<string, string> = { US: 'United States', EU: 'European Union', UK: 'United Kingdom' };

export function ArticlePage({ id }: { id: string }) {
  const [article, setArticle] = useState<Article | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    setArticle(null);
    setError(null);
    api<Article>(`${ARTICLES_PATH}/${encodeURIComponent(id)}`, { signal: ctrl.signal })
      .then(setArticle)
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(errorMessage(err));
      });
    return () => ctrl.abort();
  }, [id]);

  const html = useMemo(
    () => (article ? renderMarkdown(withoutLeadingTitle(article.markdown ?? article.body_markdown ?? "")) : ''),
    [article],
  );

  return (
    <article class="article">
      <p class="no-print">
        <a href={href('/library')}>← All articles</a>
      </p>
      {error && (
        <>
          <PageTitle>Article not available</PageTitle>
          <ErrorMessage message={error} />
        </>
      )}
      {!error && !article && <Loading label="Loading the article…" />}
      {article && (
        <>
          <PageTitle>{article.title}</PageTitle>
          <p class="article__meta">
            Last reviewed <time dateTime={article.last_reviewed}>{article.last_reviewed}</time>
            {article.jurisdiction && <> · Applies in the {JURISDICTION_NAMES[article.jurisdiction] ?? article.jurisdiction}</>}
          </p>
          <div class="prose" dangerouslySetInnerHTML={{ __html: html }} />
          <section class="sources" aria-labelledby="sources-heading">
            <h2 id="sources-heading">Sources</h2>
            <ol>
              {article.sources.map((s, i) => (
                <li key={`${s.key}-${i}`}>
                  <span class="sources__key">{s.key}</span>
                  {s.title && (
                    <>
                      {': '}
                      {s.url ? (
                        <a href={s.url} rel="noopener noreferrer">
                          {s.title}
                        </a>
                      ) : (
                        s.title
                      )}
                    </>
                  )}
                  {s.locator && <span class="sources__locator">{s.locator}</span>}
                </li>
              ))}
            </ol>
          </section>
          <PrintButton label="Print this article" />
        </>
      )}
    </article>
  );
}
