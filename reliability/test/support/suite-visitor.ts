import { createHmac } from 'node:crypto';

/** The SESSION_SECRET of every blog the suite runs: with one secret, every process accepts the same visitor's forms. */
export const SUITE_SECRET = 'reliability-suite-secret';
// One visitor for every instance and process: with the same secret, every page carries the same CSRF token.
const VISITOR = 'reliabilityVisitor0000';

/** The suite's visitor: the cookie every request sends, and the CSRF token its forms carry. */
export const SUITE_VISITOR = {
  cookie: `visitor=${VISITOR}`,
  csrfToken: createHmac('sha256', SUITE_SECRET).update(VISITOR).digest('base64url'),
} as const;

/** A form body as the suite's visitor posts it: the fields and its CSRF token, URL-encoded. */
export function visitorForm(fields: Record<string, string>): string {
  return new URLSearchParams({ ...fields, _csrf: SUITE_VISITOR.csrfToken }).toString();
}
