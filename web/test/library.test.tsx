import { fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app';
import { json, mockFetch, problem, signedOut } from './helpers';

const LIST = [
  { id: 'article.side-effects', title: 'Common side effects and what helps', summary: 'Dry lips, dry skin and sore eyes.', tags: ['side-effects', 'lips'] },
  { id: 'article.red-flags', title: 'Red flags: when to stop and get help now', summary: 'Symptoms that need help today.', tags: ['red-flags', 'emergency'] },
  { id: 'article.labs', title: 'Blood tests and why they are done', summary: 'Blood fats and liver tests.', tags: ['labs'] },
];

describe('education library', () => {
  it('lists the articles from the server and narrows them as you search', async () => {
    window.location.hash = '#/library';
    mockFetch({ 'GET /api/v1/auth/me': signedOut, 'GET /api/v1/articles': () => json(200, { items: LIST }) });
    render(<App />);

    const items = await screen.findAllByRole('heading', { level: 2 });
    expect(items.map((h) => h.textContent)).toEqual(LIST.map((a) => a.title));
    expect(screen.getByText('3 articles')).toBeTruthy();

    fireEvent.input(screen.getByLabelText('Search articles'), { target: { value: 'LIPS' } });
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual(['Common side effects and what helps']);
    expect(screen.getByText('1 of 3 articles match “LIPS”')).toBeTruthy();
    expect(window.location.hash).toBe('#/library?q=LIPS');

    fireEvent.input(screen.getByLabelText('Search articles'), { target: { value: 'zebra' } });
    expect(screen.getByText(/No article matches your search/)).toBeTruthy();

    // A topic button searches for that topic.
    fireEvent.input(screen.getByLabelText('Search articles'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'emergency' }));
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual(['Red flags: when to stop and get help now']);
  });

  it('renders an article as sanitised HTML with working links between articles and its sources', async () => {
    window.location.hash = '#/library/article.side-effects';
    mockFetch({
      'GET /api/v1/auth/me': signedOut,
      'GET /api/v1/articles/article.side-effects': () =>
        json(200, {
          id: 'article.side-effects',
          title: 'Common side effects and what helps',
          last_reviewed: '2026-11-22',
          markdown: [
            '# Common side effects and what helps',
            '',
            '## Lips',
            '',
            'Use **petroleum jelly**. See [the red flags](red-flags.md).',
            '',
            '<script>window.pwned = true</script>',
            '<img src="x" onerror="window.pwned = true">',
            '',
            '[bad](javascript:alert(1))',
            '',
            '| Brand | Food |',
            '|---|---|',
            '| Absorica | With or without |',
          ].join('\n'),
          sources: [
            { key: 'MSD', locator: 'Adverse effects: water then petrolatum', title: 'MSD Manual Professional, Acne vulgaris', url: 'https://www.msdmanuals.com/' },
            { key: 'SmPC', locator: '§4.8' },
          ],
        }),
    });
    const { container } = render(<App />);

    expect(await screen.findByRole('heading', { level: 1, name: 'Common side effects and what helps' })).toBeTruthy();
    // The body's own "# Title" is dropped: one h1 on the page.
    expect(container.querySelectorAll('h1')).toHaveLength(1);
    expect(screen.getByRole('heading', { level: 2, name: 'Lips' })).toBeTruthy();
    expect(screen.getByText('petroleum jelly').tagName).toBe('STRONG');
    expect(screen.getByRole('link', { name: 'the red flags' }).getAttribute('href')).toBe('#/library/article.red-flags');
    expect(within(container.querySelector('.prose') as HTMLElement).getByRole('table')).toBeTruthy();

    // Nothing executable survives sanitising.
    expect(container.querySelector('.prose script')).toBeNull();
    expect(container.querySelector('.prose [onerror]')).toBeNull();
    expect(screen.getByText('bad').getAttribute('href')).toBeNull();
    expect((window as unknown as { pwned?: boolean }).pwned).toBeUndefined();

    const sources = screen.getByRole('region', { name: 'Sources' });
    expect(within(sources).getByRole('link', { name: 'MSD Manual Professional, Acne vulgaris' }).getAttribute('href')).toBe('https://www.msdmanuals.com/');
    expect(within(sources).getByText('§4.8')).toBeTruthy();
    expect(screen.getByText('2026-11-22').tagName).toBe('TIME');
  });

  it("shows the server's message when an article cannot be loaded", async () => {
    window.location.hash = '#/library/article.nope';
    mockFetch({
      'GET /api/v1/auth/me': signedOut,
      'GET /api/v1/articles/article.nope': () => problem(404, 'Not Found', "No article with id 'article.nope'."),
    });
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toBe("No article with id 'article.nope'.");
    expect(screen.getByRole('heading', { level: 1, name: 'Article not available' })).toBeTruthy();
  });
});
