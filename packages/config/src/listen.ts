import { exitConfig } from './env.ts';

/**
 * Starts a service's HTTP server on PORT and HOST. A port another program holds, or one this
 * user may not take, is a setting to change: said in one line, with exit code EXIT_CONFIG
 * (exitConfig), not a stack trace.
 */
export async function listenOrExit(server: { listen(opts: { port: number; host: string }): Promise<unknown> }, port: number, host: string): Promise<void> {
  try {
    await server.listen({ port, host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') exitConfig(`port ${port} is already in use by another program; set PORT to a free port`);
    if (code === 'EACCES') exitConfig(`port ${port} needs privileges this user does not have; set PORT above 1023`);
    if (code === 'EADDRNOTAVAIL') exitConfig(`HOST ${host} is not an address of this machine; set HOST (0.0.0.0 listens on all)`);
    throw err;
  }
}
