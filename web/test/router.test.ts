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
    expect(parseRoute(hashPath('#/dose-planner'))).toEqual({ name: 'dose-planner', patientId: null });
    expect(parseRoute(hashPath('#/patients/p1/dose-planner'))).toEqual({ name: 'dose-planner', patientId: 'p1' });
    expect(parseRoute(hashPath('#/clinic?status=overdue')).name).toBe('worklist');
    expect(parseRoute(hashPath('#/patients?q=ana'))).toEqual({ name: 'patients', query: 'ana' });
    expect(parseRoute(hashPath('#/patients/new'))).toEqual({ name: 'new-patient' });
    expect(parseRoute(hashPath('#/patients/p1'))).toEqual({ name: 'chart', id: 'p1' });
    expect(parseRoute(hashPath('#/patients/p1/record'))).toEqual({ name: 'record', id: 'p1', type: null });
    expect(parseRoute(hashPath('#/patients/p1/record/weight'))).toEqual({ name: 'record', id: 'p1', type: 'weight' });
    expect(parseRoute(hashPath('#/patients/p1/checklist'))).toEqual({ name: 'checklist', id: 'p1' });
    expect(parseRoute(hashPath('#/patients/p1/print/visit'))).toEqual({ name: 'print-visit', id: 'p1' });
    expect(parseRoute(hashPath('#/patients/p1/print/schedule'))).toEqual({ name: 'print-schedule', id: 'p1' });
    expect(parseRoute(hashPath('#/pharmacy?q=DEMO-1'))).toEqual({ name: 'pharmacy', query: 'DEMO-1' });
    expect(parseRoute(hashPath('#/portal'))).toEqual({ name: 'portal' });
    expect(parseRoute(hashPath('#/portal/check-in'))).toEqual({ name: 'check-in' });
    expect(parseRoute(hashPath('#/admin'))).toEqual({ name: 'admin', tab: 'users' });
    expect(parseRoute(hashPath('#/admin/audit'))).toEqual({ name: 'admin', tab: 'audit' });
    expect(parseRoute(hashPath('#/admin/nope'))).toEqual({ name: 'not-found', path: '/admin/nope' });
    expect(parseRoute(hashPath('#/library/a/b'))).toEqual({ name: 'not-found', path: '/library/a/b' });
  });
});
