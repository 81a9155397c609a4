// The education library's content (knowledge/articles/*.md) against the format in
// knowledge/articles/README.md: the server serves these files and this app renders
// them, so a malformed article should fail here, before anyone reads it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderMarkdown } from '../src/markdown';

const KNOWLEDGE = resolve(__dirname, '../../knowledge');
const ARTICLES = join(KNOWLEDGE, 'articles');
const FIELDS = ['id', 'title', 'summary', 'audience', 'jurisdiction', 'last_reviewed', 'sources', 'tags'];
const REQUIRED = FIELDS.filter((f) => f !== 'jurisdiction');

interface Parsed {
  file: string;
  meta: Record<string, unknown>;
  body: string;
}

function readArticle(file: string): Parsed {
  const text = readFileSync(join(ARTICLES, file), 'utf8');
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!m) throw new Error(`${file}: must start with front matter between '---' lines`);
  return { file, meta: parse(m[1] as string) as Record<string, unknown>, body: m[2] as string };
}

const files = readdirSync(ARTICLES).filter((f) => f.endsWith('.md') && f !== 'README.md').sort();
const articles = files.map(readArticle);
const sourceKeys = new Set(
  (parse(readFileSync(join(KNOWLEDGE, 'sources.yaml'), 'utf8')) as { items: { id: string }[] }).items.map((i) => i.id),
);

describe('education library articles', () => {
  it('has at least 10 articles with unique ids that match their file names', () => {
    expect(articles.length).toBeGreaterThanOrEqual(10);
    const ids = articles.map((a) => a.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of articles) expect(a.meta.id, a.file).toBe(`article.${a.file.replace(/\.md$/, '')}`);
  });

  it.each(files)('%s has valid front matter', (file) => {
    const { meta } = articles.find((a) => a.file === file) as Parsed;
    for (const f of REQUIRED) expect(meta[f], `${file}: missing ${f}`).toBeDefined();
    expect(Object.keys(meta).filter((k) => !FIELDS.includes(k)), `${file}: unknown fields`).toEqual([]);
    expect(typeof meta.title === 'string' && meta.title.length > 0).toBe(true);
    expect(typeof meta.summary === 'string' && meta.summary.length > 0).toBe(true);
    expect(meta.audience).toBe('patient');
    if (meta.jurisdiction !== undefined) expect(['US', 'EU', 'UK']).toContain(meta.jurisdiction);
    expect(String(meta.last_reviewed)).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const sources = meta.sources as { key: unknown; locator: unknown }[];
    expect(Array.isArray(sources) && sources.length > 0, `${file}: needs sources`).toBe(true);
    for (const s of sources) {
      expect(Object.keys(s).sort()).toEqual(['key', 'locator']);
      expect(sourceKeys.has(String(s.key)), `${file}: source key ${String(s.key)} is not in knowledge/sources.yaml`).toBe(true);
      expect(typeof s.locator === 'string' && s.locator.length > 0).toBe(true);
    }
    const tags = meta.tags as unknown[];
    expect(Array.isArray(tags) && tags.length > 0).toBe(true);
    for (const t of tags) expect(t).toMatch(/^[a-z0-9-]+$/);
  });

  it.each(files)('%s links only to articles that exist and has no raw HTML', (file) => {
    const { body } = articles.find((a) => a.file === file) as Parsed;
    for (const [, target] of body.matchAll(/\]\(([^)\s]+)\)/g)) {
      expect(target, `${file}: links must be to another article's .md file`).toMatch(/^[a-z0-9-]+\.md$/);
      expect(existsSync(join(ARTICLES, target as string)), `${file}: ${target} does not exist`).toBe(true);
    }
    expect(body, `${file}: raw HTML is stripped by the app`).not.toMatch(/<[a-z][^>]*>/i);
    const html = renderMarkdown(body);
    expect(html).toContain('<h1>');
  });

  it('lists every article in the README', () => {
    const readme = readFileSync(join(ARTICLES, 'README.md'), 'utf8');
    for (const a of articles) expect(readme, `README.md does not list ${String(a.meta.id)}`).toContain(`\`${String(a.meta.id)}\``);
  });
});
