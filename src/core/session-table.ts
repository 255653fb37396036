/**
 * Drops expired sessions, then the oldest (a Map keeps insertion order) until one more fits under max:
 * a table of sign-ins whose memory stays bounded however many clients sign in.
 */
export function pruneSessions<S extends { expiresAt: number }>(
  sessions: Map<string, S>,
  now: number,
  max: number,
): void {
  for (const [token, s] of sessions) if (s.expiresAt <= now) sessions.delete(token);
  while (sessions.size >= max) {
    const oldest = sessions.keys().next().value;
    if (oldest === undefined) break;
    sessions.delete(oldest);
  }
}
