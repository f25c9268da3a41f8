/** One CLI command: a file in cli/commands/ exporting a Command, listed in cli/main.ts. */
export interface Command {
  name: string;
  summary: string;
  /** Full help text shown by `parley <name> --help`: arguments, options, examples. */
  help: string;
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  positional: string[];
  options: Record<string, string | true>;
}

/** `--key value`, `--key=value` and bare `--flag`; everything else is positional. */
export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) options[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) options[arg.slice(2)] = argv[++i]!;
    else options[arg.slice(2)] = true;
  }
  return { positional, options };
}

export class UsageError extends Error {}

export function requireOption(args: ParsedArgs, name: string): string {
  const v = args.options[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}
