// A worker of reencrypt.mjs: loads both configurations once; is then sent page bodies (before the
// clock starts, as the network would deliver them) and the segments' plans; re-encrypts the
// pages of each segment it is given (several at once) and sends each page's counts, waiting for
// the answer before the segment's next page, then asks for another segment — as a worker of
// `ddbec reencrypt --threads` does with the calling thread.
import { parentPort, workerData } from 'node:worker_threads';
import { cannedClient, openRotationBench, runSegment } from './reencrypt-job.mjs';

const rotation = await openRotationBench(workerData.env);
let client;
let plans = [];
/** Per segment, the page waiting for this thread's answer. */
const answered = new Map();
parentPort.on('message', async (message) => {
  if (message.bodies !== undefined) {
    client?.destroy();
    client = cannedClient(message.bodies, message.plans);
    plans = message.plans;
    parentPort.postMessage({ ready: true });
  } else if (message.saved !== undefined) {
    answered.get(message.saved)();
  } else if (message.segment === null) {
    parentPort.postMessage({ finished: true });
  } else {
    await runSegment(rotation, client, message.segment, plans.length, (page) => {
      return new Promise((resolve) => {
        answered.set(message.segment, resolve);
        parentPort.postMessage({ page: { segment: message.segment, ...page } });
      });
    });
    parentPort.postMessage({ next: true });
  }
});
parentPort.postMessage({ ready: true });
