// Progress for long work: a bar with it/s and ETA on a TTY (cli-progress), plain
// "label i/n …" lines otherwise (CI logs, pipes), at most one every `lineEverySeconds`.
import cliProgress from 'cli-progress';

export interface Progress {
  /** Advances to `current` and updates the free-text status (e.g. current losses). */
  update(current: number, status?: string): void;
  /** Prints one line above the bar (e.g. a validation result) without breaking it. */
  log(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  start?: number;
  unit?: string;
  /** Force plain lines (default: plain unless stderr is a TTY). */
  plain?: boolean;
  lineEverySeconds?: number;
  stream?: NodeJS.WriteStream;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const plain = options.plain ?? (!stream.isTTY || process.env.CI === 'true');
  return plain ? plainProgress(options, stream) : barProgress(options, stream);
}

function barProgress(options: ProgressOptions, stream: NodeJS.WriteStream): Progress {
  const unit = options.unit ?? 'it';
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${options.label} [{bar}] {value}/{total} | {rate} ${unit}/s | ETA {eta_formatted} | {status}`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = Date.now();
  const first = options.start ?? 0;
  bar.start(options.total, first, { rate: '0.00', status: '' });
  return {
    update(current, status = '') {
      const seconds = (Date.now() - startedAt) / 1000;
      const rate = seconds > 0 ? ((current - first) / seconds).toFixed(2) : '0.00';
      bar.update(current, { rate, status });
    },
    log(line) {
      bar.stop();
      stream.write(`${line}\n`);
      bar.start(options.total, (bar as unknown as { value: number }).value, {});
    },
    stop() {
      bar.stop();
    },
  };
}

function plainProgress(options: ProgressOptions, stream: NodeJS.WriteStream): Progress {
  const every = (options.lineEverySeconds ?? 30) * 1000;
  const startedAt = Date.now();
  const first = options.start ?? 0;
  let lastLine = 0;
  let current = first;
  const line = (status: string) => {
    const seconds = (Date.now() - startedAt) / 1000;
    const rate = seconds > 0 ? (current - first) / seconds : 0;
    const eta = rate > 0 ? Math.round((options.total - current) / rate) : undefined;
    stream.write(
      `${options.label} ${current}/${options.total} ${rate.toFixed(2)} ${options.unit ?? 'it'}/s` +
        `${eta === undefined ? '' : ` eta ${eta}s`}${status ? ` ${status}` : ''}\n`,
    );
  };
  return {
    update(value, status = '') {
      current = value;
      const now = Date.now();
      if (now - lastLine >= every || value >= options.total) {
        lastLine = now;
        line(status);
      }
    },
    log(text) {
      stream.write(`${text}\n`);
    },
    stop() {},
  };
}
