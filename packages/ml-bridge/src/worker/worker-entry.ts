import { parentPort } from 'node:worker_threads';
import { DbError } from '@tabagent/common';
import { BuiltinMlBridge } from '../builtin/builtin-provider.js';
import { createMlBridge } from '../create-ml-bridge.js';
import type { MlBridge } from '../ml-bridge.js';
import type { FromWorker, SerializedError, ToWorker } from './worker-protocol.js';

// The worker side of createWorkerMlBridge: owns one provider, answers calls by id,
// and transfers embedding buffers back instead of copying them.

const port = parentPort;
if (!port) throw new DbError('INTERNAL', 'worker-entry must run inside a worker thread');

let bridge: MlBridge | undefined;
const running = new Map<number, AbortController>();

const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

const serialize = (err: unknown): SerializedError => {
  const e = DbError.from(err);
  return { code: e.code, message: e.message, details: e.details };
};

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'init':
      void (async () => {
        try {
          bridge = await createMlBridge(message.config);
          send({ type: 'ready', info: bridge.info() });
        } catch (err) {
          if (message.fallback === undefined) {
            send({ type: 'init-error', error: serialize(err) });
            return;
          }
          const why = `${message.config.provider} failed to load (${DbError.from(err).code}: ${err instanceof Error ? err.message : String(err)})`;
          bridge = new BuiltinMlBridge(message.fallback);
          send({ type: 'ready', info: bridge.info(), fellBack: why });
        }
      })();
      return;
    case 'call':
      void handleCall(message);
      return;
    case 'abort':
      running.get(message.id)?.abort(new DbError('ABORTED', 'Aborted by the caller'));
      return;
    case 'close':
      void (async () => {
        for (const controller of running.values()) controller.abort();
        await bridge?.close().catch(() => undefined);
        send({ type: 'closed' });
        port.close();
      })();
      return;
  }
});

async function handleCall(message: Extract<ToWorker, { type: 'call' }>): Promise<void> {
  const controller = new AbortController();
  running.set(message.id, controller);
  try {
    if (!bridge) throw new DbError('NOT_OPEN', 'The worker has no bridge');
    const signal = controller.signal;
    switch (message.method) {
      case 'embed': {
        const vectors = ownBuffers(await bridge.embed(message.texts, { signal }));
        send({ type: 'result', id: message.id, value: vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
        break;
      }
      case 'extractEntities':
        send({ type: 'result', id: message.id, value: await bridge.extractEntities(message.texts, { signal }) });
        break;
      case 'summarize':
        send({
          type: 'result',
          id: message.id,
          value: await bridge.summarize(message.texts, { signal, ...(message.maxLength === undefined ? {} : { maxLength: message.maxLength }) }),
        });
        break;
      case 'health':
        send({ type: 'result', id: message.id, value: await bridge.health({ signal }) });
        break;
    }
  } catch (err) {
    send({ type: 'error', id: message.id, error: serialize(err) });
  } finally {
    running.delete(message.id);
  }
}

/** Gives every vector a buffer of its own, so each buffer can be transferred exactly once. */
function ownBuffers(vectors: Float32Array[]): Float32Array[] {
  const seen = new Set<ArrayBufferLike>();
  return vectors.map((v) => {
    const whole = v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;
    if (whole && !seen.has(v.buffer) && v.buffer instanceof ArrayBuffer) {
      seen.add(v.buffer);
      return v;
    }
    const copy = v.slice();
    seen.add(copy.buffer);
    return copy;
  });
}
