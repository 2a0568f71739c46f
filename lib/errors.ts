/**
 * The one error type of the app. `code` is for programs, `safeMessage` is what a client may see,
 * `cause` and `details` are for logs only.
 */
export const ERROR_STATUS = {
  INVALID_INPUT: 400,
  /** No signed-in user, and sign-in is configured. */
  UNAUTHENTICATED: 401,
  /** Signed in, but not allowed to do this (e.g. re-enrich, which spends money). */
  FORBIDDEN: 403,
  /** A command line with an unknown flag, or a flag's missing or bad value (CLI exit code 2). */
  USAGE: 400,
  NOT_FOUND: 404,
  /** The request is about a version of the data that has changed since (reload and try again). */
  CONFLICT: 409,
  /** A body that is not the media type the route takes (JSON). */
  UNSUPPORTED_MEDIA_TYPE: 415,
  LIVE_ENRICH_DISABLED: 503,
  RATE_LIMITED: 429,
  /** The live route's spend or call budget for the day (UTC), shared by every user, is used up. */
  DAILY_BUDGET_EXHAUSTED: 429,
  PAYLOAD_TOO_LARGE: 413,
  /** A browser request sent from another site (CSRF): refused whoever is signed in. */
  CROSS_SITE_REQUEST: 403,
  UPSTREAM_ERROR: 502,
  CONFIG_ERROR: 500,
  STORE_ERROR: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldIssue {
  /** Record id when known, otherwise `#<index>` (0-based position in the input). */
  record: string;
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly safeMessage: string;
  readonly issues: FieldIssue[];

  constructor(
    code: ErrorCode,
    message: string,
    options: { safeMessage?: string; issues?: FieldIssue[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.safeMessage = options.safeMessage ?? message;
    this.issues = options.issues ?? [];
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** One line per issue, for terminals and logs. */
export function formatIssues(issues: readonly FieldIssue[], limit = 50): string {
  const lines = issues.slice(0, limit).map((i) => `  - record ${i.record}, field ${i.field}: ${i.message}`);
  if (issues.length > limit) lines.push(`  … and ${issues.length - limit} more`);
  return lines.join('\n');
}
