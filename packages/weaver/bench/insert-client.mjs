// Worker thread playing the user of the benchmark: sends insert requests to the main
// thread at random moments and times each round trip on its own clock — the latency a
// client of the embedded database sees, including any time the main thread's event loop
// took to notice the request.
import { parentPort, workerData } from 'node:worker_threads';

const { requests, minGapMs, maxGapMs } = workerData;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const latencies = [];
let reply;
parentPort.on('message', () => reply?.());
for (let i = 0; i < requests; i++) {
  await sleep(minGapMs + Math.random() * (maxGapMs - minGapMs));
  const answered = new Promise((resolve) => (reply = resolve));
  const sent = performance.now();
  parentPort.postMessage(i);
  await answered;
  latencies.push(performance.now() - sent);
}
parentPort.postMessage({ latencies });
