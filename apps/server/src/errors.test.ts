import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { DbError } from '@tabagent/common';
import { exitCodeFor, formatError, toDbError } from './errors.js';

describe('CLI errors', () => {
  it('print as one line with the code and map codes to distinct exit codes', () => {
    const error = new DbError('NOT_FOUND', 'node msg_x\ndoes not exist', { details: { field: 'id' } });
    expect(formatError(error)).toBe('tabagent: NOT_FOUND: node msg_x does not exist (field id)');
    expect(exitCodeFor(error)).toBe(3);
    expect(exitCodeFor(new DbError('INVALID_ARGUMENT', 'x'))).toBe(2);
    expect(exitCodeFor(new DbError('INTERNAL', 'x'))).toBe(1);
  });

  it('turn usage errors into INVALID_ARGUMENT and explain a held lock', () => {
    const usage = toDbError(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--nope'"));
    expect(usage.code).toBe('INVALID_ARGUMENT');
    expect(usage.message).toBe("unknown option '--nope'");
    const locked = toDbError(new DbError('UNAVAILABLE', 'database at /x is in use by another process'));
    expect(locked.message).toContain('tabagent serve');
    const port = toDbError(Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:7420'), { code: 'EADDRINUSE' }));
    expect(port.code).toBe('UNAVAILABLE');
    expect(port.message).toContain('--port');
    // A port in use is not a held database.
    const grpcPort = toDbError(new DbError('UNAVAILABLE', 'cannot bind gRPC to 127.0.0.1:1: errors: [listen EADDRINUSE: address already in use 127.0.0.1:1]'));
    expect(grpcPort.message).not.toContain('data directory');
  });
});
