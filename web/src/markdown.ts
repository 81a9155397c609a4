// Article bodies are Markdown written in knowledge/articles/. They are rendered with
// `marked` and then sanitised with DOMPurify, so even a mistaken or hostile article
// cannot run script or inject styles into the app.
import { Marked, type Tokens } from 'marked';
import DOMPurify from 'dompurify';
import { articleHref } from './router';

// Articles link to each other by file name ("red-flags.md"), which also works when the
// folder is browsed on disk; in the app that becomes the route of "article.red-flags".
const ARTICLE_FILE = /^([a-z0-9][a-z0-9-]*)\.md$/;

const marked = new Marked({
  gfm: true,
  breaks: false,
  walkTokens(token) {
    if (token.type === 'link') {
      const link = token as Tokens.Link;
      const m = ARTICLE_FILE.exec(link.href);
      if (m) link.href = articleHref(`article.${m[1]}`);
    }
  },
});

export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  });
}

/** Drops a leading "# Title" line: the page already shows the title as its heading. */
export function withoutLeadingTitle(source: string): string {
  return source.replace(/^\s*#\s[^\n]*\n/, '');
}
