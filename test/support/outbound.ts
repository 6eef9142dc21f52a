import net from 'node:net';

/** Evidence of what the service (running in the test process) tried to contact. */

export interface ConnectionTrap {
  /** e.g. http://127.0.0.1:PORT */
  origin: string;
  connections: () => number;
  close(): Promise<void>;
}

/** A loopback listener that counts connections and hangs up on them: a server the service must never reach. */
export async function startConnectionTrap(): Promise<ConnectionTrap> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface FetchRecorder {
  urls: string[];
  restore(): void;
}

/** Records the URL of every fetch made in this process (the FHIR client and the JWKS fetcher both use fetch). */
export function recordFetches(): FetchRecorder {
  const original = globalThis.fetch;
  const urls: string[] = [];
  globalThis.fetch = (input, init) => {
    urls.push(input instanceof Request ? input.url : String(input));
    return original(input, init);
  };
  return {
    urls,
    restore: () => {
      globalThis.fetch = original;
    },
  };
}
