import type { Command } from '../command.js';

export const start: Command = {
  name: 'start',
  summary: 'Run a Parley node (HTTP, WebSocket, jobs)',
  help: `Usage: parley start

Runs one Parley node with the configuration in the environment (see the README's
configuration table). Stops cleanly on SIGTERM or SIGINT.`,
  async run() {
    await import('../../main.js');
    return new Promise<number>(() => {}); // runs until a signal stops the process
  },
};
