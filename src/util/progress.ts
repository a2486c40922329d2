/** Receives progress of long-running library work; the CLI draws it as bars, tests ignore it. */
export interface ProgressReporter {
  /** A task with `total` steps begins. */
  start(task: string, total: number): void;
  /** `done` of the current task's steps are finished; `info` is a short status such as the loss. */
  update(done: number, info?: string): void;
  /** The current task ends. */
  stop(): void;
  /** A one-line message between tasks. */
  log(message: string): void;
}

/** A reporter that discards everything. */
export const silentProgress: ProgressReporter = {
  start: () => undefined,
  update: () => undefined,
  stop: () => undefined,
  log: () => undefined,
};
