import { describe, expect, it } from 'vitest';
import { hashPath, parseRoute } from '../src/router';

describe('hash routes', () => {
  it('maps every screen and keeps unknown paths as not-found', () => {
    expect(parseRoute(hashPath(''))).toEqual({ name: 'home' });
    expect(parseRoute(hashPath('#/'))).toEqual({ name: 'home' });
    expect(parseRoute(hashPath('#/sign-in?next=/library'))).toEqual({ name: 'sign-in', next: '/library' });
    expect(parseRoute(hashPath('#/check'))).toEqual({ name: 'symptom-checker' });
    expect(parseRoute(hashPath('#/library?q=dry%20lips'))).toEqual({ name: 'library', query: 'dry lips' });
    expect(parseRoute(hashPath('#/library/article.red-flags'))).toEqual({ name: 'article', id: 'article.red-flags' });
    expect(parseRoute(hashPath('#/dose-planner'))).toEqual({ name: 'dose-planner' });
    expect(parseRoute(hashPath('#/library/a/b'))).toEqual({ name: 'not-found', path: '/library/a/b' });
    expect(parseRoute(hashPath('#/admin'))).toEqual({ name: 'not-found', path: '/admin' });
  });
});
