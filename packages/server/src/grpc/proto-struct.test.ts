import { describe, expect, it } from 'vitest';
import { databaseClientConstructor } from './grpc-server.js';
import { fromProtoStruct, toProtoStruct } from './proto-struct.js';

describe('google.protobuf.Struct conversion', () => {
  it('round-trips JSON values through the wire encoding', () => {
    const value = { s: 'x', n: 1.5, big: 1_796_153_472_837, t: true, f: false, nil: null, list: [1, 'two', [3], { four: 4 }], nested: { a: { b: [] } }, empty: {} };
    // Encode and decode with the real message type, as a client would.
    const def = databaseClientConstructor().service.UpdateNode!;
    const wire = def.requestSerialize({ id: 'x', patch: toProtoStruct(value) });
    const back = def.requestDeserialize(wire) as { patch: never };
    expect(fromProtoStruct(back.patch)).toEqual(value);
  });

  it('drops undefined fields, turns non-finite numbers into null and typed arrays into lists', () => {
    expect(fromProtoStruct(toProtoStruct({ gone: undefined, inf: Infinity, nan: NaN, v: new Float32Array([0.5, 1]) }))).toEqual({ inf: null, nan: null, v: [0.5, 1] });
  });
});
