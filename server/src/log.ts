// Structured JSON logs. Tokens and comment bodies never reach them: request logs carry the
// method, path and status only, and the redaction list covers the headers that hold secrets.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Logs to stdout, or to `dest` (the commands log to stderr: their stdout is their output). */
export function createLogger(level: string, dest?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'charcha' },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.token', '*.body', 'token', 'body'],
      censor: '[redacted]',
    },
  };
  return dest ? pino(options, dest) : pino(options);
}
