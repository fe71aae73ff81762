import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local service listening on 127.0.0.1. */
export interface LocalService {
  /** `http://127.0.0.1:<port>` — pass as `endpoint` to an AWS SDK client. */
  readonly endpoint: string;
  readonly port: number;
  /** Stops listening, lets requests in flight finish, and flushes state. */
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0 = any free port) and resolves with the bound port. */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(error);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes a server; idle keep-alive connections are closed too so `stop()` never hangs. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => {
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
