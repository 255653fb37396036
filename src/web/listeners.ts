import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { KioskConfig } from '../config/schema.js';
import type { AddressBudget } from './address-budget.js';

type Limits = KioskConfig['web']['limits'];
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const KEEP_ALIVE_MS = 5000;
/** How often Node looks for requests past their header/request deadline. */
const DEADLINE_CHECK_MS = 1000;

/**
 * An HTTP (or, given a certificate, HTTPS) server for the page that a flood cannot exhaust: connections
 * over `budget` are closed as they are accepted, heads are bounded in size and time, idle ones closed.
 */
export function guardedServer(
  limits: Limits,
  budget: AddressBudget,
  handler: Handler,
  tls?: { cert: Buffer; key: Buffer },
): Server {
  const options = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.headersTimeoutMs * 3,
    keepAliveTimeout: KEEP_ALIVE_MS,
    connectionsCheckingInterval: DEADLINE_CHECK_MS,
  };
  const server = tls
    ? createHttpsServer({ ...options, ...tls, handshakeTimeout: limits.headersTimeoutMs }, handler)
    : createServer(options, handler);
  // Node applies this on every connection and again after each keep-alive request.
  server.timeout = limits.idleTimeoutMs;
  // First, before Node sets the connection up: one over the caps is closed at once and costs nothing more.
  server.prependListener('connection', (socket: Socket) => admit(budget, socket));
  return server;
}

export async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot serve the status page on ${host}:${port}: ${err.code ?? err.message}`);
  });
}

export function addressOf(server: Server | undefined): { host: string; port: number } | undefined {
  const a = server?.address() as AddressInfo | null | undefined;
  return a ? { host: a.address, port: a.port } : undefined;
}

function admit(budget: AddressBudget, socket: Socket): void {
  const address = socket.remoteAddress;
  if (!budget.admit(address)) {
    socket.on('error', () => {});
    socket.destroy();
    return;
  }
  socket.once('close', () => budget.release(address));
}
