export { GrpcMlBridge } from './grpc-provider.js';
export { GRPC_DEFAULTS } from './grpc-options.js';
export type { GrpcMlBridgeOptions } from './grpc-options.js';
export { createMlInferenceService, mlInferenceClientConstructor, ML_INFERENCE_SERVICE } from './ml-inference-service.js';
export type { MlInferenceServiceOptions } from './ml-inference-service.js';
export { findProtoFile, loadProtoPackage, serviceClient, PROTO_LOADER_OPTIONS, PROTOS_DIR_ENV } from './proto-files.js';
export { grpcStatusOf, toGrpcError, fromGrpcError, ERROR_CODE_KEY, ERROR_FIELD_KEY } from './status-codes.js';
export { callSignal, requireToken } from './server-call.js';
export type { CallSignal, CancellableCall } from './server-call.js';
