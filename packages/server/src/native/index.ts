export { runNativeHost } from './native-host.js';
export { NATIVE_HOST_DEFAULTS } from './native-host-options.js';
export type { NativeHostOptions } from './native-host-options.js';
export { encodeNativeMessage, readNativeFrames, MAX_BROWSER_MESSAGE_BYTES, MAX_HOST_MESSAGE_BYTES } from './framing.js';
export type { NativeFrame } from './framing.js';
export { resultMessages } from './paging.js';
export { writeNativeManifest, nativeManifestLocation, NATIVE_BROWSERS, DEFAULT_NATIVE_HOST_NAME } from './native-manifest.js';
export type { NativeBrowser, NativeManifestOptions, NativeManifestResult } from './native-manifest.js';
