// A worker of segments.mjs: loads the configuration once; is then sent page bodies (before the
// clock starts, as the network would deliver them) and plans to scan, and sends every page's
// text back, as `ddbec scan --threads` does.
import { parentPort, workerData } from 'node:worker_threads';
import { openBench, scanPages } from './segments-job.mjs';

const config = await openBench(workerData.document, workerData.env);
let bodies = [];
parentPort.on('message', async (message) => {
  if (message.bodies !== undefined) {
    bodies = message.bodies;
    parentPort.postMessage({ ready: true });
    return;
  }
  const items = await scanPages(config, bodies, message.plan, (page) => parentPort.postMessage(page));
  parentPort.postMessage({ items });
});
parentPort.postMessage({ ready: true });
