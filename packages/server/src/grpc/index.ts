export { startGrpcServer, databaseClientConstructor, DATABASE_SERVICE } from './grpc-server.js';
export type { GrpcServerHandle } from './grpc-server.js';
export { GRPC_SERVER_DEFAULTS } from './grpc-server-options.js';
export type { GrpcServerOptions } from './grpc-server-options.js';
