import pkg from '../package.json' with { type: 'json' };

/** This package's version, as reported by `/v1/health` and the OpenAPI document. */
export const SERVER_VERSION: string = pkg.version;
