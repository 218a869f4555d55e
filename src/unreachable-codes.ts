/**
 * Socket error codes that mean "the server is not there right now" (down,
 * unknown, unroutable, or dropped the connection), for S3 and PostgreSQL
 * alike: each is told apart from a refusal, which no retry mends.
 */
export const UNREACHABLE_SOCKET_CODES = [
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
] as const;
