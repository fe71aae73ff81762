// A worker of reencrypt.mjs: loads both configurations once; is then sent page bodies (before the
// clock starts, as the network would deliver them) and the segments' plans; asks for a segment,
// re-encrypts its pages and sends each page's counts, waiting for the answer before the next
// page — as a worker of `ddbec reencrypt --threads` does with the calling thread.
import { parentPort, workerData } from 'node:worker_threads';
import { cannedClient, openRotationBench, runSegment } from './reencrypt-job.mjs';

const rotation = await openRotationBench(workerData.env);
let client;
let plans = [];
let answered;
parentPort.on('message', async (message) => {
  if (message.bodies !== undefined) {
    client?.destroy();
    client = cannedClient(message.bodies, message.plans);
    plans = message.plans;
    parentPort.postMessage({ ready: true });
  } else if (message.saved === true) {
    answered();
  } else if (message.segment === null) {
    parentPort.postMessage({ finished: true });
  } else {
    await runSegment(rotation, client, message.segment, plans.length, (page) => {
      return new Promise((resolve) => {
        answered = resolve;
        parentPort.postMessage({ page: { segment: message.segment, ...page } });
      });
    });
    parentPort.postMessage({ next: true });
  }
});
parentPort.postMessage({ ready: true });
