/** Where the bridge reports choices worth knowing (which provider, why). */
export interface MlLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Writes to the console with an `[ml-bridge]` prefix. */
export const consoleLogger: MlLogger = {
  info: (message, fields) => console.info(`[ml-bridge] ${message}`, ...(fields ? [fields] : [])),
  warn: (message, fields) => console.warn(`[ml-bridge] ${message}`, ...(fields ? [fields] : [])),
};

/** Discards everything. */
export const silentLogger: MlLogger = { info: () => undefined, warn: () => undefined };
