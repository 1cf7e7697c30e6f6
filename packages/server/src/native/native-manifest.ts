import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, posix, win32 } from 'node:path';
import { DbError } from '@tabagent/common';

/** Browsers whose native-messaging hosts TabAgent can register. */
export const NATIVE_BROWSERS = ['chrome', 'chromium', 'edge', 'firefox'] as const;
export type NativeBrowser = (typeof NATIVE_BROWSERS)[number];

/** Default host name: what an extension passes to `chrome.runtime.connectNative`. */
export const DEFAULT_NATIVE_HOST_NAME = 'com.tabagent.db';

/** Options of {@link writeNativeManifest}. */
export interface NativeManifestOptions {
  browser: NativeBrowser;
  /** Chrome/Chromium/Edge: the 32-letter extension id; Firefox: the add-on id (`name@example.org` or `{uuid}`). */
  extensionId: string;
  /** Absolute path of the program the browser starts (it gets no arguments of ours, only the caller's origin). */
  hostPath: string;
  /**
   * Arguments that must come before the browser's own, e.g. `[main.js, 'serve', '--mode', 'native']`
   * when `hostPath` is node. Browsers cannot pass arguments from a manifest, so with
   * these a launcher script (`<name>.sh`, `<name>.bat` on Windows) is written beside the
   * manifest and the manifest points at it. The browser's own arguments are not passed on.
   */
  hostArgs?: readonly string[];
  /** Host name (lower-case letters, digits, dots, underscores). Default `com.tabagent.db`. */
  name?: string;
  /** Shown by the browser. Default "TabAgent DB". */
  description?: string;
  /** Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** Default the user's home directory. */
  homeDir?: string;
  /** Windows: where the manifest goes (default `%LOCALAPPDATA%\\TabAgent\\NativeMessagingHosts`, from `env`). */
  env?: Record<string, string | undefined>;
  /** Compute the paths and the manifest but write nothing (`tabagent native-manifest --print`). Default false. */
  dryRun?: boolean;
}

/** What {@link writeNativeManifest} wrote, and what is left to do. */
export interface NativeManifestResult {
  /** The manifest file. */
  path: string;
  manifest: Record<string, unknown>;
  /** The launcher script, when `hostArgs` were given. */
  launcherPath?: string;
  /**
   * Windows only: the registry key whose default value must be `path` (reported, not
   * set): `reg add "<key>" /ve /t REG_SZ /d "<path>" /f`.
   */
  registryKey?: string;
  /** The command that sets `registryKey` (Windows only). */
  registryCommand?: string;
  /**
   * False with `dryRun`, or when `platform` uses other path rules than the running one (Windows vs. POSIX): paths and
   * manifest are computed but nothing is written (a Windows path means nothing on Linux, and vice versa).
   */
  written: boolean;
}

const CHROMIUM_ID = /^[a-p]{32}$/u;
const FIREFOX_ID = /^(?:[\w.+-]+@[\w.-]+|\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\})$/iu;
const HOST_NAME = /^[a-z0-9_]+(?:\.[a-z0-9_]+)*$/u;

const LINUX_DIRS: Record<NativeBrowser, string> = {
  chrome: '.config/google-chrome/NativeMessagingHosts',
  chromium: '.config/chromium/NativeMessagingHosts',
  edge: '.config/microsoft-edge/NativeMessagingHosts',
  firefox: '.mozilla/native-messaging-hosts',
};
const MAC_DIRS: Record<NativeBrowser, string> = {
  chrome: 'Library/Application Support/Google/Chrome/NativeMessagingHosts',
  chromium: 'Library/Application Support/Chromium/NativeMessagingHosts',
  edge: 'Library/Application Support/Microsoft Edge/NativeMessagingHosts',
  firefox: 'Library/Application Support/Mozilla/NativeMessagingHosts',
};
const WINDOWS_KEYS: Record<NativeBrowser, string> = {
  chrome: 'HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts',
  chromium: 'HKCU\\Software\\Chromium\\NativeMessagingHosts',
  edge: 'HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts',
  firefox: 'HKCU\\Software\\Mozilla\\NativeMessagingHosts',
};

/** Where the per-user manifest of `name` goes for this browser and OS (and the registry key on Windows). */
export function nativeManifestLocation(options: Pick<NativeManifestOptions, 'browser' | 'name' | 'platform' | 'homeDir' | 'env'>): { path: string; registryKey?: string } {
  const name = options.name ?? DEFAULT_NATIVE_HOST_NAME;
  const platform = options.platform ?? process.platform;
  const home = options.homeDir ?? homedir();
  if (!NATIVE_BROWSERS.includes(options.browser)) {
    throw new DbError('INVALID_ARGUMENT', `browser: expected one of ${NATIVE_BROWSERS.join(', ')}`, { details: { field: 'browser' } });
  }
  if (platform === 'win32') {
    const env = options.env ?? process.env;
    const base = env.LOCALAPPDATA ?? win32.join(home, 'AppData', 'Local');
    return { path: win32.join(base, 'TabAgent', 'NativeMessagingHosts', options.browser, `${name}.json`), registryKey: `${WINDOWS_KEYS[options.browser]}\\${name}` };
  }
  const dirs = platform === 'darwin' ? MAC_DIRS : LINUX_DIRS;
  return { path: posix.join(home, dirs[options.browser], `${name}.json`) };
}

/**
 * Writes the native-messaging host manifest for one browser to its per-user location
 * (`tabagent native-manifest --browser chrome --extension-id …`). On Windows the
 * manifest is written and the registry key that must point at it is returned, not set.
 *
 * @example
 * const { path } = await writeNativeManifest({ browser: 'chrome', extensionId: 'abcdefghijklmnopabcdefghijklmnop', hostPath: '/usr/local/bin/tabagent-native' });
 */
export async function writeNativeManifest(options: NativeManifestOptions): Promise<NativeManifestResult> {
  const name = options.name ?? DEFAULT_NATIVE_HOST_NAME;
  const platform = options.platform ?? process.platform;
  if (!HOST_NAME.test(name)) {
    throw new DbError('INVALID_ARGUMENT', 'name: lower-case letters, digits, dots and underscores only (e.g. com.tabagent.db)', { details: { field: 'name' } });
  }
  const firefox = options.browser === 'firefox';
  if (typeof options.extensionId !== 'string' || !(firefox ? FIREFOX_ID : CHROMIUM_ID).test(options.extensionId)) {
    throw new DbError(
      'INVALID_ARGUMENT',
      firefox ? 'extensionId: expected a Firefox add-on id (name@example.org or {uuid})' : 'extensionId: expected the 32-letter (a–p) extension id shown in chrome://extensions',
      { details: { field: 'extensionId' } },
    );
  }
  const absolute = platform === 'win32' ? win32.isAbsolute(options.hostPath) : isAbsolute(options.hostPath);
  if (typeof options.hostPath !== 'string' || !absolute) {
    throw new DbError('INVALID_ARGUMENT', 'hostPath: expected an absolute path (browsers do not search PATH)', { details: { field: 'hostPath' } });
  }
  const location = nativeManifestLocation({ ...options, name, platform });
  const dir = platform === 'win32' ? win32.dirname(location.path) : dirname(location.path);
  const written = options.dryRun !== true && (platform === 'win32') === (process.platform === 'win32');
  if (written) await mkdir(dir, { recursive: true });

  let program = options.hostPath;
  let launcherPath: string | undefined;
  if (options.hostArgs !== undefined && options.hostArgs.length > 0) {
    launcherPath = platform === 'win32' ? win32.join(dir, `${name}.bat`) : join(dir, `${name}.sh`);
    if (written) {
      await writeFile(launcherPath, launcherScript(options.hostPath, options.hostArgs, platform), { mode: 0o755 });
      if (platform !== 'win32') await chmod(launcherPath, 0o755);
    }
    program = launcherPath;
  }
  const manifest: Record<string, unknown> = {
    name,
    description: options.description ?? 'TabAgent DB',
    path: program,
    type: 'stdio',
    ...(firefox ? { allowed_extensions: [options.extensionId] } : { allowed_origins: [`chrome-extension://${options.extensionId}/`] }),
  };
  if (written) await writeFile(location.path, `${JSON.stringify(manifest, null, 2)}\n`);
  const result: NativeManifestResult = { path: location.path, manifest, written };
  if (launcherPath !== undefined) result.launcherPath = launcherPath;
  if (location.registryKey !== undefined) {
    result.registryKey = location.registryKey;
    result.registryCommand = `reg add "${location.registryKey}" /ve /t REG_SZ /d "${location.path}" /f`;
  }
  return result;
}

function launcherScript(program: string, args: readonly string[], platform: NodeJS.Platform): string {
  if (platform === 'win32') {
    const quoted = [program, ...args].map((a) => `"${a.replace(/"/gu, '""')}"`).join(' ');
    return `@echo off\r\n${quoted}\r\n`;
  }
  const quote = (a: string): string => `'${a.replace(/'/gu, `'\\''`)}'`;
  // The browser's own arguments (the caller's origin, a window handle) are not passed on: the command line stays ours.
  return `#!/bin/sh\n# Started by the browser for native messaging; stdout carries the protocol.\nexec ${[program, ...args].map(quote).join(' ')}\n`;
}
