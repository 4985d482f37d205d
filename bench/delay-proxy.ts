/**
 * A TCP proxy on loopback that plays a path with a fixed round-trip time: every chunk,
 * in each direction, is delivered half an RTT after it arrived (in order), and the
 * server sees the connection 1.5 RTT after the client's connect, so the greeting reaches
 * the client 2 RTT after it started, as on a real path (SYN, SYN-ACK, ACK, greeting).
 */
import net from 'node:net';

export interface DelayProxy {
  port: number;
  close(): Promise<void>;
}

function delayed(from: net.Socket, to: net.Socket, oneWayMs: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, oneWayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), oneWayMs));
}

export async function startDelayProxy(upstream: { host: string; port: number }, rttMs: number): Promise<DelayProxy> {
  const oneWay = rttMs / 2;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.setNoDelay(true);
    client.pause();
    client.on('error', () => client.destroy());
    client.on('close', () => sockets.delete(client));
    setTimeout(() => {
      const server = net.connect({ host: upstream.host, port: upstream.port, noDelay: true });
      sockets.add(server);
      server.on('error', () => client.destroy());
      server.on('close', () => {
        sockets.delete(server);
        setTimeout(() => client.destroy(), oneWay);
      });
      client.on('close', () => server.destroy());
      delayed(client, server, oneWay);
      delayed(server, client, oneWay);
      client.resume();
    }, 3 * oneWay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
