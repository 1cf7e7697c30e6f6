import type { MlLogger } from '@tabagent/ml-bridge';
import { LOG_LEVELS, type LogLevel } from './config/config-schema.js';

/** The CLI's own log: plain lines on stderr (stdout is for results). */
export interface AppLogger extends MlLogger {
  error(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  readonly level: LogLevel;
}

/**
 * A logger that writes messages at `level` or more severe to `stream`.
 *
 * @example
 * const log = createLogger('info');
 * log.info('opened', { dir });   // "tabagent: info: opened {"dir":"/tmp/x"}"
 */
export function createLogger(level: LogLevel, stream: NodeJS.WritableStream = process.stderr): AppLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at =
    (name: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (threshold === 0 || LOG_LEVELS.indexOf(name) > threshold) return;
      stream.write(`tabagent: ${name}: ${message}${fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}\n`);
    };
  return { level, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
