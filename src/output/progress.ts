import ora, { type Ora } from 'ora';

/** A spinner on stderr, only when stderr is a terminal and the user did not ask for quiet. */
export interface Progress {
  update(text: string): void;
  /** Leaves a finished step's line above the spinner (e.g. one per batch). */
  done(text: string, ok?: boolean): void;
  stop(): void;
}

export function createProgress(enabled: boolean, text: string): Progress {
  if (!enabled || !process.stderr.isTTY) return { update() {}, done() {}, stop() {} };
  const spinner: Ora = ora({ text, stream: process.stderr, discardStdin: false }).start();
  return {
    update: (t) => { spinner.text = t; },
    done: (t, ok = true) => {
      if (ok) spinner.succeed(t); else spinner.fail(t);
      spinner.start(text);
    },
    stop: () => spinner.stop(),
  };
}
