// `ugp models summary --arch <preset|config.json>`: parameters per official module and the shapes
// of UGPNet's tensors — measured by a batch-1 forward for small architectures, derived from the
// configuration for large ones (a 512 px forward takes long on CPU).
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { useBackend } from '../backend.js';
import { printJson } from '../output.js';

interface Args {
  backend?: string;
  arch: string;
  forward?: boolean;
  json: boolean;
}

/** Largest image side whose forward runs by default. */
const FORWARD_MAX_SIZE = 128;

/** Columns padded to their widest cell, under a header and a rule. */
function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const millions = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);

export const modelsSummaryCommand = command<Args>()({
  command: 'summary',
  describe: 'parameters per module and tensor shapes of an architecture',
  builder: (y: Argv) =>
    y
      .option('arch', {
        type: 'string',
        demandOption: true,
        describe:
          'architecture preset or JSON file (presets: paper-faces-512*, paper-church-256*, demo-64, tiny-32)',
      })
      .option('forward', {
        type: 'boolean',
        describe: `measure shapes with a batch-1 forward (default: only when image_size ≤ ${FORWARD_MAX_SIZE})`,
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
      .example('$0 models summary --arch demo-64', 'parameter counts and a forward at 64 px')
      .example('$0 models summary --arch paper-faces-512 --json', 'paper sizes (shapes from the config)'),
  handler: async (argv) => {
    const info = await useBackend(argv);
    const { resolveArch, summarizeUgpNet } = await import('@ugpnet/models');
    const arch = resolveArch(argv.arch);
    const forward = argv.forward ?? arch.image_size <= FORWARD_MAX_SIZE;
    const summary = summarizeUgpNet(arch, { forward });
    if (argv.json) return printJson({ arch: argv.arch, backend: info.name, ...summary });
    const rows = summary.modules.map((m) => [
      m.module,
      String(m.parameters),
      millions(m.parameters),
      String(m.buffers),
      m.note ?? '',
    ]);
    rows.push([
      'UGPNet (no discriminator)',
      String(summary.ugpnetParameters),
      millions(summary.ugpnetParameters),
      '',
      '',
    ]);
    const shapeRows = summary.shapes.map((s) => [s.name, `[${s.shape.join(', ')}]`, s.description]);
    const how =
      summary.shapesFrom === 'forward'
        ? `measured by a batch-1 forward on ${info.name} (${summary.forwardMs?.toFixed(0)} ms)`
        : 'derived from the config (--forward runs one)';
    process.stdout.write(
      `${argv.arch}: ${arch.regression.type} restoration, ${arch.image_size} px\n\n` +
        `${formatTable(['module', 'parameters', '', 'buffers', 'note'], rows)}\n\n` +
        `shapes (NCHW, PyTorch layout; ${how})\n${formatTable(['tensor', 'shape', 'what'], shapeRows)}\n`,
    );
  },
});
