import { createServer } from 'node:net';

/** A loopback address that must never be contacted, and how often it was. */
export interface ConnectionCounter {
  readonly port: number;
  /** Connections accepted so far (each closed at once). */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * Listens on a free 127.0.0.1 port, counting and closing every connection: the address a test
 * names in a request that must not reach anything (an unconfigured target), to show it never did.
 */
export async function startConnectionCounter(): Promise<ConnectionCounter> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
