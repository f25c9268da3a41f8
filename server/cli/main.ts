/** The `parley` command line: `parley <command> [options]`, `parley <command> --help`. */
import { parseArgs, UsageError, type Command } from './command.js';
import { start } from './commands/start.js';
import { migrate } from './commands/migrate.js';
import { tenantCreate } from './commands/tenantCreate.js';
import { agentCreate } from './commands/agentCreate.js';
import { auditVerify } from './commands/auditVerify.js';
import { apikeyCreate } from './commands/apikeyCreate.js';
import { apikeyRevoke } from './commands/apikeyRevoke.js';
import { operatorGrant } from './commands/operatorGrant.js';
import { keysRotate } from './commands/keysRotate.js';
import { keysRewrap } from './commands/keysRewrap.js';
import { tenantDelete } from './commands/tenantDelete.js';
import { retentionRun } from './commands/retentionRun.js';
import { exposureReportCommand } from './commands/exposureReport.js';
import { releaseKeygen } from './commands/releaseKeygen.js';
import { releaseSign } from './commands/releaseSign.js';
import { releaseVerify } from './commands/releaseVerify.js';
import { witness } from './commands/witness.js';
import { monitor } from './commands/monitor.js';

/** Every command, in the order `parley --help` lists them. Add new commands here. */
export const COMMANDS: Command[] = [start, migrate, tenantCreate, agentCreate, auditVerify, releaseKeygen, releaseSign, releaseVerify, witness, monitor, keysRotate, keysRewrap, exposureReportCommand, retentionRun, tenantDelete, apikeyCreate, apikeyRevoke, operatorGrant];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: parley <command> [options]\n\nCommands:\n${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}\n\nRun parley <command> --help for a command's options.`;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : 1;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`unknown command "${name}"\n\n${overview()}`);
    return 1;
  }
  const args = parseArgs(rest);
  if (args.options.help || args.options.h) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${command.help}`);
      return 1;
    }
    console.error(`parley ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

// Run only when executed, not when imported by tests.
if (process.argv[1] && /cli[\\/]main\.(js|ts)$/.test(process.argv[1])) {
  runCli(process.argv.slice(2)).then((code) => {
    if (code !== 0 || process.argv[2] !== 'start') process.exit(code);
  });
}
