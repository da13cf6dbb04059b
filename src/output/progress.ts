import ora, { type Ora } from 'ora';

/** A spinner on stderr, only when stderr is a terminal and the user did not ask for quiet. */
export interface Progress {
  update(text: string): void;
  stop(): void;
}

export function createProgress(enabled: boolean, text: string): Progress {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const spinner: Ora = ora({ text, stream: process.stderr, discardStdin: false }).start();
  return {
    update: (t) => { spinner.text = t; },
    stop: () => spinner.stop(),
  };
}
