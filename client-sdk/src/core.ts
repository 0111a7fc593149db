// The platform-neutral core: everything but socket.io-client itself, which the caller passes
// as `io`. `@charcha/client/core` for hosts that bring their own socket.io-client; the
// measured "core bundle"; what the vm test runs without window, document, process or require.
export { CharchaClient, createClient, type ClientOptions } from './client';
export type { ConnectionStatus, IoFactory, SocketIoOptions, ArticleMessage, PresenceEvent } from './connection';
export {
  CharchaError,
  ClosedError,
  ConflictError,
  ForbiddenError,
  InternalError,
  LockedError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  TimeoutError,
  TooLargeError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
  errorFromBody,
  type CharchaErrorCode,
} from './errors';
export { HttpApi, type ListOptions } from './http';
export { ModerationFeed, type ModerationEvents } from './moderation';
export { Notifications, type NotificationEvents } from './notifications';
export { DEFAULT_RETRY, type RetryPolicy } from './outbox';
export type { FetchLike } from './platform';
export { Sequencer } from './sequencer';
export { Thread, textToHtml, type FirstPage, type PostOptions, type ThreadEvents, type ThreadOptions, type ThreadStatus } from './thread';
export { ThreadStore, type ArticleState, type LocalInfo, type LocalState, type ThreadComment } from './thread-store';
export { decodeJwt, type TokenClaims, type TokenOption } from './token';
export * from './protocol';
