/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it: listen on 0, read it,
 * close). The one helper for tests, benches and the local supervisor that need a port of their own.
 */
import net from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
