// Structured JSON logs. Tokens and comment bodies never reach them: request logs carry the
// method, path and status only, and the redaction list covers the headers that hold secrets.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'charcha' },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.token', '*.body', 'token', 'body'],
      censor: '[redacted]',
    },
  });
}
