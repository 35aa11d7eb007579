import { describe, expect, it } from 'vitest';
import {
  DashboardSessions,
  SESSION_COOKIE,
  SESSION_IDLE_MS,
  csrfProblem,
  decideAccess,
  hostName,
  isLoopbackHost,
  readCookie,
} from './access.js';
import type { RequestFacts } from './access.js';

function facts(over: Partial<RequestFacts> = {}): RequestFacts {
  return {
    remoteAddress: '127.0.0.1',
    host: '127.0.0.1:8080',
    cookie: undefined,
    method: 'GET',
    origin: undefined,
    secFetchSite: undefined,
    csrfHeader: undefined,
    ...over,
  };
}

describe('dashboard access', () => {
  it('lets a loopback caller in and opens a session with a cookie', () => {
    const sessions = new DashboardSessions();
    const decision = decideAccess(facts(), sessions, false);
    expect(decision.kind).toBe('allow');
    if (decision.kind !== 'allow') return;
    expect(decision.setCookie).toContain(`${SESSION_COOKIE}=${decision.session.id}`);
    expect(decision.setCookie).toContain('HttpOnly');
    expect(decision.setCookie).toContain('SameSite=Strict');
    const again = decideAccess(
      facts({ cookie: `a=b; ${SESSION_COOKIE}=${decision.session.id}` }),
      sessions,
      false,
    );
    expect(again).toEqual({ kind: 'allow', session: decision.session });
  });

  it('refuses a loopback connection whose Host is another name (DNS rebinding)', () => {
    const sessions = new DashboardSessions();
    expect(decideAccess(facts({ host: 'evil.example:8080' }), sessions, false).kind).toBe(
      'forbidden',
    );
    expect(decideAccess(facts({ host: undefined }), sessions, false).kind).toBe('forbidden');
    for (const host of ['localhost:1', '[::1]:8080', '127.0.0.2', 'app.localhost:3']) {
      expect(decideAccess(facts({ host }), sessions, false).kind).toBe('allow');
    }
  });

  it('answers 404 elsewhere without an operator key, the login form with one', () => {
    const sessions = new DashboardSessions();
    const remote = facts({ remoteAddress: '10.0.0.5', host: 'gw.lan:8080' });
    expect(decideAccess(remote, sessions, false).kind).toBe('not-found');
    expect(decideAccess(remote, sessions, true).kind).toBe('login');
  });

  it('lets a remote caller in only with a session opened by the operator key', () => {
    const sessions = new DashboardSessions();
    const loopbackSession = sessions.open(false);
    const keySession = sessions.open(true);
    const remote = (id: string) =>
      facts({ remoteAddress: '10.0.0.5', host: 'gw.lan', cookie: `${SESSION_COOKIE}=${id}` });
    // A session made on loopback does not travel to another address.
    expect(decideAccess(remote(loopbackSession.id), sessions, true).kind).toBe('login');
    expect(decideAccess(remote(keySession.id), sessions, true).kind).toBe('allow');
    expect(decideAccess(remote('forged'), sessions, true).kind).toBe('login');
  });

  it('forgets idle sessions', () => {
    let now = 1_000;
    const sessions = new DashboardSessions(() => now);
    const s = sessions.open(true);
    now += SESSION_IDLE_MS + 1;
    expect(sessions.get(s.id)).toBeUndefined();
  });

  it('reads cookies and host names', () => {
    expect(readCookie('a=1; b=2', 'b')).toBe('2');
    expect(readCookie(undefined, 'b')).toBeUndefined();
    expect(hostName('[::1]:80')).toBe('::1');
    expect(hostName('LocalHost:80')).toBe('localhost');
    expect(isLoopbackHost('127.0.0.1.evil.com')).toBe(false);
  });
});

describe('dashboard CSRF checks', () => {
  const sessions = new DashboardSessions();
  const session = sessions.open(false);
  const post = (over: Partial<RequestFacts>) =>
    facts({ method: 'POST', origin: 'http://127.0.0.1:8080', csrfHeader: session.csrf, ...over });

  it('accepts a same-origin POST with the session token', () => {
    expect(csrfProblem(post({}), session)).toBeUndefined();
    expect(
      csrfProblem(post({ origin: undefined, secFetchSite: 'same-origin' }), session),
    ).toBeUndefined();
  });

  it('refuses a missing or wrong token', () => {
    expect(csrfProblem(post({ csrfHeader: undefined }), session)).toMatch(/x-csrf-token/);
    expect(csrfProblem(post({ csrfHeader: 'x'.repeat(32) }), session)).toMatch(/x-csrf-token/);
    const other = sessions.open(false);
    expect(csrfProblem(post({ csrfHeader: other.csrf }), session)).toMatch(/x-csrf-token/);
  });

  it('refuses another origin or a cross-site fetch even with the token', () => {
    expect(csrfProblem(post({ origin: 'http://evil.example' }), session)).toMatch(/origin/);
    expect(csrfProblem(post({ origin: 'http://127.0.0.1:9999' }), session)).toMatch(/origin/);
    expect(csrfProblem(post({ secFetchSite: 'cross-site' }), session)).toMatch(/cross-site/);
    expect(csrfProblem(post({ secFetchSite: 'same-site' }), session)).toMatch(/same-site/);
    expect(csrfProblem(post({ origin: undefined }), session)).toMatch(/neither/);
  });

  it('checks the login form by origin alone (there is no session yet)', () => {
    expect(csrfProblem(post({ csrfHeader: undefined }), undefined)).toBeUndefined();
    expect(csrfProblem(post({ origin: 'http://evil.example' }), undefined)).toMatch(/origin/);
  });
});
