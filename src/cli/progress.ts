import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../util/progress.js';

/**
 * Progress on stderr: live bars on a terminal; on a pipe or CI log, one line when each task
 * starts and ends, so logs stay readable.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const tty = Boolean(stream.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  let task = '';
  let started = 0;
  return {
    start(name, total) {
      task = name;
      started = performance.now();
      if (tty) {
        bar = new cliProgress.SingleBar(
          { stream, format: ' {bar} {percentage}% | {task} | {info} | eta {eta_formatted}', hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { task: name, info: '' });
      } else stream.write(`… ${name}\n`);
    },
    update(done, info) {
      bar?.update(done, { info: info ?? '' });
    },
    stop() {
      bar?.stop();
      bar = null;
      if (!tty) stream.write(`✓ ${task} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    },
    log(message) {
      stream.write(`${message}\n`);
    },
  };
}
