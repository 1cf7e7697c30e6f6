import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { DbError } from '@tabagent/common';

/** Environment variable naming a directory that holds the `.proto` files (overrides the search). */
export const PROTOS_DIR_ENV = 'TABAGENT_PROTOS_DIR';

/**
 * How every TabAgent gRPC endpoint loads its protos: camelCase fields, int64 as JS
 * numbers (timestamps and counts fit), enums as names, unset fields absent (so
 * presence is visible), repeated fields always arrays, oneofs named by a virtual field.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: false,
  arrays: true,
  oneofs: true,
};

/**
 * Finds `fileName` (e.g. `ml_inference.proto`): in `$TABAGENT_PROTOS_DIR`, else in the
 * nearest `protos/` directory at or above `fromUrl`'s directory — a built package's
 * `dist/protos/` (copied at build) or the repository's `protos/` when running from source.
 *
 * @throws DbError `NOT_FOUND` naming every place it looked.
 */
export function findProtoFile(fileName: string, fromUrl: string | URL): string {
  const looked: string[] = [];
  const fromEnv = process.env[PROTOS_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const candidate = resolve(fromEnv, fileName);
    if (existsSync(candidate)) return candidate;
    looked.push(candidate);
  }
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const candidate = join(dir, 'protos', fileName);
    if (existsSync(candidate)) return candidate;
    looked.push(candidate);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new DbError('NOT_FOUND', `${fileName} not found (looked in ${looked.join(', ')}); set ${PROTOS_DIR_ENV} to the directory holding the TabAgent .proto files`, {
    details: { field: PROTOS_DIR_ENV },
  });
}

const loaded = new Map<string, grpc.GrpcObject>();

/** Loads (once per file) a proto found by {@link findProtoFile} into grpc-js service constructors. */
export function loadProtoPackage(fileName: string, fromUrl: string | URL): grpc.GrpcObject {
  const path = findProtoFile(fileName, fromUrl);
  let pkg = loaded.get(path);
  if (pkg === undefined) {
    pkg = grpc.loadPackageDefinition(protoLoader.loadSync(path, { ...PROTO_LOADER_OPTIONS, includeDirs: [dirname(path)] }));
    loaded.set(path, pkg);
  }
  return pkg;
}

/** The constructor of a service (e.g. `tabagent.ml.v1.MlInference`) in a loaded package. */
export function serviceClient(pkg: grpc.GrpcObject, qualifiedName: string): grpc.ServiceClientConstructor {
  let node: unknown = pkg;
  for (const part of qualifiedName.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (typeof node !== 'function' || !('service' in node)) {
    throw new DbError('INTERNAL', `${qualifiedName} is not a service of the loaded proto`);
  }
  return node as grpc.ServiceClientConstructor;
}
