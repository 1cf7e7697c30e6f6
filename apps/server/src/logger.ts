import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { DbError } from '@tabagent/common';
import type { MlLogger } from '@tabagent/ml-bridge';
import { LOG_LEVELS, type LogLevel } from './config/config-schema.js';

/** The CLI's own log: plain lines on stderr or in a log file (stdout is for results). */
export interface AppLogger extends MlLogger {
  error(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  readonly level: LogLevel;
  /** Where the lines go; the servers' own loggers (Fastify) write there too. */
  readonly stream: NodeJS.WritableStream;
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
  return { level, stream, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/**
 * A stream appending to `path` (its directory is created). Writes are synchronous, so
 * the last lines before an exit are never lost; the file closes with the stream or the process.
 *
 * @throws DbError `UNAVAILABLE` when the file cannot be opened.
 */
export function openLogFile(path: string): NodeJS.WritableStream {
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, 'a');
  } catch (cause) {
    throw new DbError('UNAVAILABLE', `cannot open log file ${path}: ${(cause as Error).message}`, { cause, details: { field: 'logFile' } });
  }
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      try {
        writeSync(fd, chunk);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
    destroy(err, callback) {
      closeSync(fd);
      callback(err);
    },
  });
}
