/** Error codes of DESIGN §5 (REST problem+json `code`) and §6 (hub errors). */
export type ErrorCode =
  | 'validation_failed' | 'unauthorized' | 'forbidden' | 'not_found' | 'email_taken'
  | 'invalid_credentials' | 'token_reused' | 'version_conflict' | 'precondition_required'
  | 'locked' | 'session_closed' | 'rate_limited' | 'payload_too_large' | 'unsupported_media_type'
  | 'method_not_allowed' | 'unavailable' | 'network_error' | 'unknown'
  | (string & {});

/** A failed REST call or hub invocation, with the contract's stable error code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  /** On 412 version_conflict: the resource's current version. */
  readonly currentVersion?: number;
  /** On validation_failed: field → messages. */
  readonly errors?: Record<string, string[]>;

  constructor(init: { status: number; code: ErrorCode; detail: string; currentVersion?: number; errors?: Record<string, string[]> }) {
    super(`${init.code}: ${init.detail}`);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    if (init.currentVersion !== undefined) this.currentVersion = init.currentVersion;
    if (init.errors !== undefined) this.errors = init.errors;
  }
}

const statusOfCode: Record<string, number> = {
  validation_failed: 400, unauthorized: 401, forbidden: 403, not_found: 404, email_taken: 409,
  invalid_credentials: 401, token_reused: 401, version_conflict: 412, precondition_required: 428,
  locked: 409, session_closed: 409, rate_limited: 429, payload_too_large: 413,
  unsupported_media_type: 415, method_not_allowed: 405, unavailable: 503,
};

/** Builds an ApiError from an HTTP status and a (possibly empty or non-JSON) response body. */
export function problemToError(status: number, body: unknown, statusText = ''): ApiError {
  const problem = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const code = typeof problem.code === 'string' ? problem.code : status === 401 ? 'unauthorized' : 'unknown';
  const detail = typeof problem.detail === 'string' ? problem.detail
    : typeof problem.title === 'string' ? problem.title
    : typeof body === 'string' && body ? body
    : statusText || `HTTP ${status}`;
  const currentVersion = typeof problem.currentVersion === 'number' ? problem.currentVersion : undefined;
  const errors = problem.errors && typeof problem.errors === 'object' ? problem.errors as Record<string, string[]> : undefined;
  return new ApiError({ status, code, detail, currentVersion, errors });
}

const hubErrorPattern = /HubException: ([a-z_]+): ([\s\S]*)$/;

/**
 * Turns a SignalR invocation failure ("... HubException: forbidden: you are not a member ...")
 * into an ApiError with that code; anything else becomes `unknown` (or `network_error` when the
 * connection went away).
 */
export function hubErrorToApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const match = hubErrorPattern.exec(message);
  if (match) {
    const code = match[1]!;
    return new ApiError({ status: statusOfCode[code] ?? 400, code, detail: match[2]!.trim() });
  }
  const disconnected = /connection (was )?(stopped|closed|being closed|disconnected)|not in the 'Connected' State|Invocation canceled/i.test(message);
  return new ApiError({ status: 0, code: disconnected ? 'network_error' : 'unknown', detail: message });
}
