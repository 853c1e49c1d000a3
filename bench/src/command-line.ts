/** Reads `--name=value` options of one bench command; each error names the command and the bad value. */
export interface CommandLine {
  /** The value of `--name=…`, or `fallback` when it is not given. */
  argument(name: string, fallback: string): string;
  /** `value` when `allowed` holds it; otherwise throws naming `--name` and what it takes. */
  oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T;
  /** `value` as a whole number ≥ `least`; otherwise throws naming `--name`. */
  count(name: string, value: string, least?: number): number;
  /** `value` as a per cent above 0 and below 100, returned as a share (0..1); otherwise throws naming `--name`. */
  share(name: string, value: string): number;
}

/** The options of the command `component` (as in `[cachesweeper] [bench ab]`) in `argv`. */
export function commandLine(component: string, argv: readonly string[] = process.argv): CommandLine {
  const fail = (message: string): never => {
    throw new Error(`[cachesweeper] [${component}] ${message}`);
  };
  return {
    argument: (name, fallback) => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback,
    oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
      if (!(allowed as readonly string[]).includes(value)) {
        fail(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
      }
      return value as T;
    },
    count(name, value, least = 1) {
      const parsed = Number(value);
      if (!Number.isSafeInteger(parsed) || parsed < least) {
        fail(`--${name} must be a whole number >= ${least}, got "${value}"`);
      }
      return parsed;
    },
    share(name, value) {
      const parsed = Number(value);
      if (!(parsed > 0 && parsed < 100)) fail(`--${name} must be a per cent above 0 and below 100, got "${value}"`);
      return parsed / 100;
    },
  };
}

/** The options `read` takes from the command line; on a bad one, its message on stderr and exit code 2. */
export function optionsOrExit<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
