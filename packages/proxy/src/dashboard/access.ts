import { randomBytes } from 'node:crypto';
import { isLoopbackAddress } from '../auth/loopback-caller.js';
import { sameSecret } from '../auth/same-secret.js';

/**
 * Who may open the dashboard, and which of its POSTs are genuine. Pure decisions over the
 * request's facts, so that the rules are unit-tested without a server:
 *
 * - A loopback caller is the operator (the rule of /metrics, auth/loopback-caller.ts), provided its `Host` names the
 *   loopback too: a page elsewhere that rebinds its own DNS name to 127.0.0.1 reaches the
 *   socket from loopback, but with its own name in `Host`.
 * - Anyone else needs a session opened with the operator key (never a client key); without an
 *   operator key configured the dashboard answers 404 there, as /metrics does.
 * - Every POST (an action) needs the session's CSRF token in `x-csrf-token` and a same-origin
 *   `Origin` / `Sec-Fetch-Site`; the session cookie is HttpOnly and SameSite=Strict.
 */

export const SESSION_COOKIE = 'mgw_dashboard';
export const CSRF_HEADER = 'x-csrf-token';

/** How long a dashboard session lives without being used. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 1_000;

export interface Session {
  id: string;
  csrf: string;
  /** Opened with the operator key (not from loopback). */
  viaKey: boolean;
  lastSeen: number;
}

export interface RequestFacts {
  /** The socket's remote address. */
  remoteAddress: string | undefined;
  /** The `Host` header. */
  host: string | undefined;
  /** The `Cookie` header. */
  cookie: string | undefined;
  method: string;
  origin: string | undefined;
  secFetchSite: string | undefined;
  csrfHeader: string | undefined;
}

export type AccessDecision =
  | { kind: 'allow'; session: Session; setCookie?: string }
  /** Not from loopback, no session: the login form (only when an operator key exists). */
  | { kind: 'login' }
  /** As for a path that does not exist (not from loopback and no operator key). */
  | { kind: 'not-found' }
  | { kind: 'forbidden'; reason: string };

export { isLoopbackAddress, sameSecret };

/** The host name of a `Host` header (port and IPv6 brackets removed), lower-cased. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** A `Host` that names this machine's loopback: 127.0.0.0/8, ::1, localhost, *.localhost. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host === '') return false;
  const name = hostName(host);
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
  );
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The dashboard's sessions, in the proxy's memory (a restarted proxy asks to log in again). */
export class DashboardSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  open(viaKey: boolean): Session {
    this.prune();
    const session: Session = {
      id: randomBytes(24).toString('base64url'),
      csrf: randomBytes(24).toString('base64url'),
      viaKey,
      lastSeen: this.now(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (this.now() - session.lastSeen > SESSION_IDLE_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeen = this.now();
    return session;
  }

  get size(): number {
    return this.sessions.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) {
      if (now - s.lastSeen > SESSION_IDLE_MS) this.sessions.delete(id);
    }
    // Bounded: the oldest go first (a Map iterates in insertion order).
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
  }
}

export function sessionCookie(session: Session): string {
  return `${SESSION_COOKIE}=${session.id}; Path=/dashboard; HttpOnly; SameSite=Strict`;
}

/**
 * Who may see the dashboard. `operatorKeyConfigured`: whether an operator key exists (only
 * then can a caller from elsewhere log in).
 */
export function decideAccess(
  facts: RequestFacts,
  sessions: DashboardSessions,
  operatorKeyConfigured: boolean,
): AccessDecision {
  const existing = sessions.get(readCookie(facts.cookie, SESSION_COOKIE));
  if (isLoopbackAddress(facts.remoteAddress)) {
    if (!isLoopbackHost(facts.host)) {
      return { kind: 'forbidden', reason: 'the Host header does not name this machine' };
    }
    if (existing !== undefined) return { kind: 'allow', session: existing };
    const session = sessions.open(false);
    return { kind: 'allow', session, setCookie: sessionCookie(session) };
  }
  if (existing?.viaKey === true) return { kind: 'allow', session: existing };
  return operatorKeyConfigured ? { kind: 'login' } : { kind: 'not-found' };
}

/**
 * Whether `origin` is the page's own: the `Host` the request was sent to, over HTTP or over
 * HTTPS (a TLS proxy in front of the gateway keeps the Host and changes the scheme).
 */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const o = origin.trim().toLowerCase();
  const h = host.trim().toLowerCase();
  return o === `http://${h}` || o === `https://${h}`;
}

/**
 * Whether a POST comes from the dashboard's own page: same-origin by `Origin` (or, without it,
 * by `Sec-Fetch-Site`), and, unless `session` is undefined (the login form), carrying the
 * session's CSRF token. Returns the reason it does not, or undefined.
 */
export function csrfProblem(facts: RequestFacts, session: Session | undefined): string | undefined {
  if (facts.secFetchSite !== undefined && facts.secFetchSite !== 'same-origin') {
    return `a ${facts.secFetchSite} request cannot act on the dashboard`;
  }
  if (facts.origin !== undefined) {
    if (!sameOrigin(facts.origin, facts.host)) {
      return 'the request comes from another origin';
    }
  } else if (facts.secFetchSite === undefined) {
    return 'the request has neither Origin nor Sec-Fetch-Site';
  }
  if (session === undefined) return undefined;
  if (facts.csrfHeader === undefined || !sameSecret(facts.csrfHeader, session.csrf)) {
    return `the ${CSRF_HEADER} header is missing or wrong (reload the page)`;
  }
  return undefined;
}
