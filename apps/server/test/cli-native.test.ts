import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, TempDirs, TestCli, countNodesOnDisk } from './helpers/cli.js';
import { NativeBrowser, chromeFrame } from './helpers/native-browser.js';

const dirs = new TempDirs();
let cli: TestCli;
beforeEach(async () => {
  cli = await TestCli.create(dirs);
});
afterEach(async () => dirs.cleanup());

const EXTENSION_ID = 'abcdefghijklmnopabcdefghijklmnop';

describe('tabagent serve --mode native (built binary, spoken to as Chrome does)', () => {
  it('answers requests, pushes events, reports bad frames, writes only frames on stdout, and exits 0 when stdin closes', async () => {
    const logFile = join(cli.home, 'logs', 'native.log');
    const browser = new NativeBrowser(cli.start(['--log-level', 'info', '--log-file', logFile, 'serve', '--mode', 'native'], { keepStdinOpen: true }));

    // Round trip: create a chat, add a message, read it back.
    const chat = await browser.call('chats.create', { title: 'From the extension' });
    expect(chat).toMatchObject({ ok: true, result: { type: 'Chat', title: 'From the extension' } });
    const subscribed = await browser.call('subscribe', { chatId: chat.result.id });
    expect(subscribed.result.subscription).toMatch(/^sub_/);
    const message = await browser.call('chats.addMessage', { chatId: chat.result.id, sender: 'me', role: 'user', content: 'Alice met Bob in Paris' });
    expect(message).toMatchObject({ ok: true, result: { type: 'Message', chatId: chat.result.id } });
    const got = await browser.call('nodes.get', { id: message.result.id });
    expect(got.result).toMatchObject({ id: message.result.id, content: 'Alice met Bob in Paris', sender: 'me' });

    // Pushed after the write: its change event, then the weaver's enrichment of it.
    const change = await browser.waitFor((m) => m.event === 'change' && m.data?.change?.id === message.result.id, 'change event');
    expect(change).toMatchObject({ subscription: subscribed.result.subscription, data: { change: { op: 'insert', kind: 'Message', chatId: chat.result.id } } });
    const enriched = await browser.waitFor((m) => m.event === 'enriched' && m.data?.nodeId === message.result.id, 'enrichment event');
    expect(enriched.data).toMatchObject({ chatId: chat.result.id, module: expect.any(String) });

    // A frame split across reads is reassembled.
    const split = chromeFrame({ id: 'split', method: 'ping' });
    browser.write(split.subarray(0, 3));
    await new Promise((resolve) => setTimeout(resolve, 50));
    browser.write(split.subarray(3));
    expect(await browser.waitFor((m) => m.id === 'split', 'split ping')).toMatchObject({ ok: true, result: { pong: true } });

    // Malformed input gets a clear error, and the host keeps serving.
    browser.write(chromeFrame('{"id": 7, "method": '));
    const invalid = await browser.waitFor((m) => m.id === null && m.ok === false, 'invalid-JSON error');
    expect(invalid.error.code).toBe('INVALID_ARGUMENT');
    expect(invalid.error.message).toContain('not valid JSON');
    const unknown = await browser.call('nodes.teleport', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(unknown.error.message).toContain('unknown method "nodes.teleport"');
    const missing = await browser.call('nodes.get', { id: 'msg_01NOPE00000000000000000000' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await browser.call('ping')).ok).toBe(true);

    // Chrome closes stdin to stop the host: it closes the database and exits 0.
    expect(await browser.disconnect()).toEqual([0, null]);
    // Nothing but frames reached stdout: the ready line and the banner went to stderr, the log to its file.
    expect(browser.junk.length).toBe(0);
    expect(browser.received.every((m) => typeof m === 'object' && m !== null && ('id' in m || 'event' in m))).toBe(true);
    const ready = JSON.parse(browser.stderr.split('\n').find((line) => line.startsWith('{"event":"ready"'))!);
    expect(ready).toMatchObject({ mode: 'native', transports: { native: { stdio: true } }, weaver: true, dataDir: cli.dataDir });
    expect(browser.stderr).toContain('native messaging host on stdin/stdout');
    expect(browser.stderr).toContain('stopped');
    const log = await readFile(logFile, 'utf8');
    expect(log).toContain('tabagent: warn: native host: message is not valid JSON');
    expect(log).toContain('tabagent: info: native: input closed, shutting down');
    expect(browser.stderr).not.toContain('tabagent: info:');
    expect(await countNodesOnDisk(cli.dataDir, 'Message')).toBe(1);
  });

  it('stops on SIGTERM too, answering nothing more', async () => {
    const browser = new NativeBrowser(cli.start(['--no-weaver', 'serve', '--mode', 'native'], { keepStdinOpen: true }));
    expect((await browser.call('ping')).ok).toBe(true);
    browser.child.kill('SIGTERM');
    expect(await browser.exit).toEqual([0, null]);
    expect(browser.junk.length).toBe(0);
    expect(await countNodesOnDisk(cli.dataDir, 'Chat')).toBe(0);
  });
});

describe('tabagent native-manifest (built binary)', () => {
  it('writes the per-user manifest and a launcher that starts the native host on this database', async () => {
    const result = await cli.json<{ path: string; launcherPath: string; manifest: Record<string, unknown>; written: boolean; command: string[] }>([
      'native-manifest',
      '--browser',
      'chrome',
      '--extension-id',
      EXTENSION_ID,
    ]);
    const dir = join(cli.home, '.config', 'google-chrome', 'NativeMessagingHosts');
    expect(result.path).toBe(join(dir, 'com.tabagent.db.json'));
    expect(result.launcherPath).toBe(join(dir, 'com.tabagent.db.sh'));
    const manifest = JSON.parse(await readFile(result.path, 'utf8'));
    expect(manifest).toEqual({ name: 'com.tabagent.db', description: 'TabAgent DB', path: result.launcherPath, type: 'stdio', allowed_origins: [`chrome-extension://${EXTENSION_ID}/`] });
    expect((await stat(result.launcherPath)).mode & 0o111).not.toBe(0);
    expect(result.command).toEqual([process.execPath, BIN, 'serve', '--mode', 'native', '--data-dir', cli.dataDir, '--ml-provider', 'builtin']);

    // The launcher runs as Chrome runs it (with the caller's origin as its argument) and speaks the protocol.
    const host = new NativeBrowser(spawn(result.launcherPath, [`chrome-extension://${EXTENSION_ID}/`], { env: cli.env }));
    const chat = await host.call('chats.create', { title: 'through the launcher' });
    expect(chat.ok).toBe(true);
    expect(await host.disconnect()).toEqual([0, null]);
    expect(await countNodesOnDisk(cli.dataDir, 'Chat')).toBe(1);

    const human = await cli.run(['native-manifest', '--browser', 'chrome', '--extension-id', EXTENSION_ID]);
    expect(human.stdout).toContain(`to ${result.path}`);
    expect(human.stdout).toContain(`launcher: ${result.launcherPath}`);
    expect(human.stdout).toContain("chrome.runtime.connectNative('com.tabagent.db')");
  });

  it('writes Firefox manifests with allowed_extensions, prints without writing, and rejects bad ids in one line', async () => {
    const firefox = await cli.json<{ path: string; manifest: Record<string, unknown> }>(['native-manifest', '--browser', 'firefox', '--extension-id', 'tabagent@example.org', '--name', 'org.example.tabagent']);
    expect(firefox.path).toBe(join(cli.home, '.mozilla', 'native-messaging-hosts', 'org.example.tabagent.json'));
    expect(JSON.parse(await readFile(firefox.path, 'utf8'))).toMatchObject({ name: 'org.example.tabagent', allowed_extensions: ['tabagent@example.org'] });

    const printed = await cli.run(['native-manifest', '--browser', 'edge', '--extension-id', EXTENSION_ID, '--print']);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toMatchObject({ name: 'com.tabagent.db', allowed_origins: [`chrome-extension://${EXTENSION_ID}/`] });
    expect(printed.stderr).toContain(join(cli.home, '.config', 'microsoft-edge', 'NativeMessagingHosts', 'com.tabagent.db.json'));
    await expect(stat(join(cli.home, '.config', 'microsoft-edge'))).rejects.toMatchObject({ code: 'ENOENT' });

    const bad = await cli.run(['native-manifest', '--browser', 'chrome', '--extension-id', 'not-an-id']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^tabagent: INVALID_ARGUMENT: extensionId: expected the 32-letter/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const noBrowser = await cli.run(['native-manifest', '--extension-id', EXTENSION_ID]);
    expect(noBrowser.code).toBe(2);
    expect(noBrowser.stderr).toContain('--browser');
  });
});
