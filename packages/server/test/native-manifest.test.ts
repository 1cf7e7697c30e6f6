import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { NATIVE_BROWSERS, nativeManifestLocation, writeNativeManifest } from '../src/native/index.js';

const CHROME_ID = 'abcdefghijklmnopabcdefghijklmnop';
const FIREFOX_ID = 'tabagent@example.org';
const homes: string[] = [];
const home = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'tabagent-home-'));
  homes.push(dir);
  return dir;
};
afterEach(async () => {
  await Promise.all(homes.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('native-messaging host manifests', () => {
  it('go to each browser’s per-user directory on Linux and macOS', async () => {
    const expected: Record<string, Record<string, string>> = {
      linux: {
        chrome: '.config/google-chrome/NativeMessagingHosts',
        chromium: '.config/chromium/NativeMessagingHosts',
        edge: '.config/microsoft-edge/NativeMessagingHosts',
        firefox: '.mozilla/native-messaging-hosts',
      },
      darwin: {
        chrome: 'Library/Application Support/Google/Chrome/NativeMessagingHosts',
        chromium: 'Library/Application Support/Chromium/NativeMessagingHosts',
        edge: 'Library/Application Support/Microsoft Edge/NativeMessagingHosts',
        firefox: 'Library/Application Support/Mozilla/NativeMessagingHosts',
      },
    };
    for (const platform of ['linux', 'darwin'] as const) {
      for (const browser of NATIVE_BROWSERS) {
        const homeDir = await home();
        const extensionId = browser === 'firefox' ? FIREFOX_ID : CHROME_ID;
        const result = await writeNativeManifest({ browser, extensionId, hostPath: '/opt/tabagent/bin/tabagent-native', platform, homeDir });
        expect(result.path).toBe(join(homeDir, expected[platform]![browser]!, 'com.tabagent.db.json'));
        const written = JSON.parse(await readFile(result.path, 'utf8'));
        expect(written).toEqual(result.manifest);
        expect(written).toMatchObject({ name: 'com.tabagent.db', type: 'stdio', path: '/opt/tabagent/bin/tabagent-native' });
        if (browser === 'firefox') {
          expect(written.allowed_extensions).toEqual([FIREFOX_ID]);
          expect(written).not.toHaveProperty('allowed_origins');
        } else {
          expect(written.allowed_origins).toEqual([`chrome-extension://${CHROME_ID}/`]);
        }
        expect(result.registryKey).toBeUndefined();
      }
    }
  });

  it('report the registry key to set on Windows instead of setting it', async () => {
    const homeDir = await home();
    const result = await writeNativeManifest({
      browser: 'edge',
      extensionId: CHROME_ID,
      hostPath: 'C:\\Program Files\\TabAgent\\tabagent-native.exe',
      platform: 'win32',
      homeDir,
      env: { LOCALAPPDATA: join(homeDir, 'AppData', 'Local') },
    });
    expect(result.registryKey).toBe('HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\com.tabagent.db');
    expect(result.registryCommand).toContain('reg add "HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\com.tabagent.db" /ve');
    expect(result.path.endsWith('com.tabagent.db.json')).toBe(true);
    // A Windows path on Linux is only reported: nothing lands in the working directory.
    expect(result.written).toBe(process.platform === 'win32');
    expect(nativeManifestLocation({ browser: 'chrome', platform: 'win32', homeDir: 'C:\\Users\\a', env: {} }).registryKey).toBe(
      'HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\com.tabagent.db',
    );
    expect(nativeManifestLocation({ browser: 'firefox', platform: 'win32', homeDir: 'C:\\Users\\a', env: {} }).registryKey).toBe(
      'HKCU\\Software\\Mozilla\\NativeMessagingHosts\\com.tabagent.db',
    );
  });

  it('write a launcher when the host needs arguments, and the launcher runs them', async () => {
    const homeDir = await home();
    const result = await writeNativeManifest({
      browser: 'chromium',
      extensionId: CHROME_ID,
      hostPath: process.execPath,
      hostArgs: ['-e', "process.stdout.write(JSON.stringify(process.argv.slice(1)))", 'it\'s', 'serve'],
      platform: 'linux',
      homeDir,
    });
    expect(result.manifest.path).toBe(result.launcherPath);
    expect((await stat(result.launcherPath!)).mode & 0o111).not.toBe(0);
    const { stdout } = await promisify(execFile)(result.launcherPath!, ['chrome-extension://ignored/']);
    expect(JSON.parse(stdout)).toEqual(["it's", 'serve']);
  });

  it('write nothing in a dry run, but report the same paths and manifest', async () => {
    const homeDir = await home();
    const options = { browser: 'chrome' as const, extensionId: CHROME_ID, hostPath: process.execPath, hostArgs: ['main.js', 'serve'], platform: 'linux' as const, homeDir };
    const dry = await writeNativeManifest({ ...options, dryRun: true });
    expect(dry.written).toBe(false);
    expect(await readdir(homeDir)).toEqual([]);
    const real = await writeNativeManifest(options);
    expect(real.written).toBe(true);
    expect({ ...dry, written: true }).toEqual(real);
  });

  it('reject bad ids, names, browsers and relative paths', async () => {
    const homeDir = await home();
    const base = { browser: 'chrome' as const, extensionId: CHROME_ID, hostPath: '/bin/true', platform: 'linux' as const, homeDir };
    await expect(writeNativeManifest({ ...base, extensionId: 'not-an-id' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'extensionId' } });
    await expect(writeNativeManifest({ ...base, browser: 'firefox', extensionId: CHROME_ID })).rejects.toMatchObject({ details: { field: 'extensionId' } });
    await expect(writeNativeManifest({ ...base, name: 'Bad-Name' })).rejects.toMatchObject({ details: { field: 'name' } });
    await expect(writeNativeManifest({ ...base, hostPath: 'bin/tabagent' })).rejects.toMatchObject({ details: { field: 'hostPath' } });
    await expect(writeNativeManifest({ ...base, browser: 'safari' as never })).rejects.toMatchObject({ details: { field: 'browser' } });
  });
});
