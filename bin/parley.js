#!/usr/bin/env node
// The `parley` command; run `npm run build` first (npm start does).
import { runCli } from '../dist/server/cli/main.js';

const code = await runCli(process.argv.slice(2));
if (process.argv[2] !== 'start') process.exit(code);
