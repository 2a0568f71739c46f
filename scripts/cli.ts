import { formatIssues, isAppError } from '../lib/errors';

/**
 * Runs a script's main function: an AppError prints its message (which names the record and field)
 * without a stack trace, anything else prints in full; the exit code is main's result or 1 on error.
 * `exitWhenDone` ends the process at once, for scripts whose clients may hold sockets open.
 */
export function runMain(name: string, main: () => Promise<number | void>, { exitWhenDone = false } = {}): void {
  const finish = (code: number) => {
    process.exitCode = code;
    if (exitWhenDone) process.exit(code);
  };
  main().then(
    (code) => finish(code ?? 0),
    (error: unknown) => {
      if (isAppError(error)) {
        console.error(`${name}: ${error.message}`);
        if (error.issues.length > 0 && !error.message.includes(error.issues[0]!.field)) console.error(formatIssues(error.issues));
      } else {
        console.error(`${name} failed:`, error);
      }
      finish(1);
    },
  );
}
