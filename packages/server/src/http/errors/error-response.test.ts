import { describe, expect, it } from 'vitest';
import { DbError, ErrorCodes } from '@tabagent/common';
import { errorResponse } from './error-response.js';
import { HTTP_STATUS_OF_CODE } from './http-status.js';

describe('errorResponse', () => {
  it('maps every error code to its status, with the field', () => {
    expect(HTTP_STATUS_OF_CODE).toMatchObject({ INVALID_ARGUMENT: 400, UNAUTHENTICATED: 401, NOT_FOUND: 404, CONFLICT: 409, TOO_LARGE: 413, NOT_OPEN: 503, UNAVAILABLE: 503, TIMEOUT: 504 });
    for (const code of Object.values(ErrorCodes)) {
      const { status, body } = errorResponse(new DbError(code, 'why', { details: { field: 'a.b' } }), 'req-1');
      expect(status, code).toBe(HTTP_STATUS_OF_CODE[code]);
      expect(body.error.code, code).toBe(code);
    }
    const { body } = errorResponse(new DbError('INVALID_ARGUMENT', 'a.b: bad', { details: { field: 'a.b', issues: [{ field: 'a.b', message: 'bad' }, { field: 'c', message: 'worse' }] } }), 'r');
    expect(body).toEqual({ error: { code: 'INVALID_ARGUMENT', message: 'a.b: bad', field: 'a.b', issues: [{ field: 'a.b', message: 'bad' }, { field: 'c', message: 'worse' }] } });
  });

  it('a full disk is 507 DISK_FULL with its message, also when a library raised it; LevelDB corruption is CORRUPTED', () => {
    expect(errorResponse(new DbError('DISK_FULL', 'no space left on the device holding the database'), 'r')).toMatchObject({
      status: 507,
      internal: false,
      body: { error: { code: 'DISK_FULL', message: 'no space left on the device holding the database' } },
    });
    expect(errorResponse(Object.assign(new Error('IO error: x.log: No space left on device'), { code: 'LEVEL_IO_ERROR' }), 'r')).toMatchObject({ status: 507 });
    expect(errorResponse(Object.assign(new Error('Corruption: bad block'), { code: 'LEVEL_CORRUPTION' }), 'r')).toMatchObject({
      status: 500,
      body: { error: { code: 'CORRUPTED' } },
    });
  });

  it('says nothing about internal failures but the request id', () => {
    for (const err of [new Error('secret path /home/x'), new DbError('CORRUPTED', 'record x cannot be decoded'), 'thrown string']) {
      const { status, body, internal } = errorResponse(err, 'req-7');
      expect(status).toBe(500);
      expect(internal).toBe(true);
      expect(body.error.message).toBe('internal error (request req-7)');
      expect(body.error.requestId).toBe('req-7');
    }
  });

  it('turns validation errors into INVALID_ARGUMENT naming the first field', () => {
    const err = Object.assign(new Error('bad'), {
      statusCode: 400,
      validationContext: 'body',
      validation: [
        { instancePath: '/nodes/1/title', message: 'Required' },
        { instancePath: '/limit', message: 'Too big' },
      ],
    });
    expect(errorResponse(err, 'r')).toEqual({
      status: 400,
      internal: false,
      body: { error: { code: 'INVALID_ARGUMENT', message: 'nodes.1.title: Required', field: 'nodes.1.title', issues: [{ field: 'nodes.1.title', message: 'Required' }, { field: 'limit', message: 'Too big' }] } },
    });
    const whole = errorResponse(Object.assign(new Error('x'), { statusCode: 400, validationContext: 'body', validation: [{ instancePath: '', message: 'expected object' }] }), 'r');
    expect(whole.body.error).toMatchObject({ field: 'body', message: 'body: expected object' });
  });

  it('maps Fastify’s own 4xx errors', () => {
    const tooLarge = errorResponse(Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }), 'r');
    expect(tooLarge).toMatchObject({ status: 413, body: { error: { code: 'TOO_LARGE', field: 'body' } } });
    const media = errorResponse(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), 'r');
    expect(media).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED' } } });
  });
});
