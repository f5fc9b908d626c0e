import type { Config } from '../config/env.js';
import { startServer } from '../server.js';

export async function serveCommand(config: Config): Promise<void> {
  await startServer(config);
}
