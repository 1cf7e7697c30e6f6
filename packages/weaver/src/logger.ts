/**
 * Where the weaver reports what it did not expect: cut texts, failed tasks, dead letters,
 * background errors. Structured fields go in `fields`, never into the message.
 */
export interface WeaverLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Logs warnings and errors to the console (the default); information is dropped. */
export const consoleWeaverLogger: WeaverLogger = {
  info: () => undefined,
  warn: (message, fields) => console.warn(`[weaver] ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`[weaver] ${message}`, fields ?? ''),
};

/** Logs nothing. */
export const silentWeaverLogger: WeaverLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
