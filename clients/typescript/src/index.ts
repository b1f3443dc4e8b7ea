export { ApiError, problemToError, hubErrorToApiError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { RestClient, parseETag, formatETag } from './rest.js';
export type { RestClientOptions, TokenState } from './rest.js';
export { RealtimeClient } from './realtime.js';
export type { RealtimeClientOptions, HubTransport, ConnectionState, JoinOptions, SessionHandle } from './realtime.js';
export type * from './types.js';
