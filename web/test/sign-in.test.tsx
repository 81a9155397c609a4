import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app';
import { json, mockFetch, problem, signedOut } from './helpers';

function fill(label: string, value: string) {
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

describe('sign-in page', () => {
  it('posts the username and password as JSON and goes to the requested page', async () => {
    window.location.hash = '#/sign-in?next=/library';
    const calls = mockFetch({
      'GET /api/v1/auth/me': signedOut,
      'POST /api/v1/auth/login': () =>
        json(200, { user: { username: 'dr.lee', role: 'prescriber', display_name: 'Dr Lee' }, csrf_token: 'tok-1' }),
      'GET /api/v1/articles': () => json(200, []),
    });
    render(<App />);
    fill('Username', ' dr.lee ');
    fill('Password', 'correct horse');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(window.location.hash).toBe('#/library'));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url).toBe('/api/v1/auth/login');
    expect(post?.headers['Content-Type']).toBe('application/json');
    expect(post?.body).toEqual({ username: 'dr.lee', password: 'correct horse' });
    // Signed in: the navigation offers the prescriber's tools and sign-out.
    expect(await screen.findByRole('link', { name: 'Dose planner' })).toBeTruthy();
    expect(screen.getByRole('button', { name: /Sign out/ })).toBeTruthy();
    expect(sessionStorage.getItem('isocourse.csrf')).toBe('tok-1');
  });

  it("shows the server's lockout message exactly as written and clears the password", async () => {
    window.location.hash = '#/sign-in';
    const lockout = 'Too many failed sign-ins for this account. Try again after 14:32 UTC.';
    mockFetch({
      'GET /api/v1/auth/me': signedOut,
      'POST /api/v1/auth/login': () => problem(429, 'Account temporarily locked', lockout),
    });
    render(<App />);
    fill('Username', 'pat');
    fill('Password', 'wrong');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(lockout);
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
    expect(window.location.hash).toBe('#/sign-in');
  });

  it('names the missing fields and sends nothing when they are empty', async () => {
    window.location.hash = '#/sign-in';
    const calls = mockFetch({ 'GET /api/v1/auth/me': signedOut });
    render(<App />);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByText('Enter your username.')).toBeTruthy();
    expect(screen.getByText('Enter your password.')).toBeTruthy();
    expect(screen.getByLabelText('Username').getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('does not follow a sign-in redirect to another site', async () => {
    window.location.hash = '#/sign-in?next=//evil.example';
    mockFetch({
      'GET /api/v1/auth/me': signedOut,
      'POST /api/v1/auth/login': () => json(200, { username: 'pat', role: 'patient' }),
    });
    render(<App />);
    fill('Username', 'pat');
    fill('Password', 'pw');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    // No safe next: the patient goes to their own start page.
    await waitFor(() => expect(window.location.hash).toBe('#/portal'));
  });
});
