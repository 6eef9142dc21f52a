import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Call sites log identifiers and counts only; the redaction list is a second line of
 * defence so a token or a prefetch body that slips into a log object never reaches the output.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'spine-cds' },
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          'headers.authorization',
          'fhirAuthorization',
          '*.fhirAuthorization',
          'access_token',
          '*.access_token',
          'prefetch',
          '*.prefetch',
          'context',
          '*.context',
          'token',
          '*.token',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
