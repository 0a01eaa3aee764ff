// `ugp weights import`: official PyTorch files (.pth) → our checkpoint folder DIR with
// ugpnet.safetensors (official UGPNet keys and layouts; see models' ugpnet-checkpoint.ts for the
// layout) and arch.json. Every file is checked against the architecture: missing, unexpected and
// wrong-shape keys are listed by name.
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { printJson } from '../output.js';

interface Args {
  backend?: string;
  arch: string;
  resmodule?: string;
  synmodule?: string;
  fusmodule?: string;
  regression?: string;
  generator?: string;
  discriminator?: string;
  out: string;
  json: boolean;
}

const FILE_FLAGS = [
  'resmodule',
  'synmodule',
  'fusmodule',
  'regression',
  'generator',
  'discriminator',
] as const;

export const weightsImportCommand = command<Args>()({
  command: 'import',
  describe: 'convert official .pth files into a UGPNet checkpoint folder (ugpnet.safetensors + arch.json)',
  builder: (y: Argv) =>
    y
      .option('arch', {
        type: 'string',
        demandOption: true,
        describe: 'architecture preset (see ugp models summary) or an architecture JSON file',
      })
      .option('resmodule', {
        type: 'string',
        describe: 'train_resmodule.py output (plain ResModule state dict)',
      })
      .option('synmodule', {
        type: 'string',
        describe: 'train_synmodule.py output ({generator, fencoder, wmodule, discriminator})',
      })
      .option('fusmodule', {
        type: 'string',
        describe: 'train_fusmodule.py output (plain FusionNet state dict)',
      })
      .option('regression', {
        type: 'string',
        describe: 'pretrained NAFNet/HINet ({params}) or RRDBNetX8 ({params_ema}) instead of --resmodule',
      })
      .option('generator', { type: 'string', describe: 'pretrained StyleGAN2 generator ({params_ema})' })
      .option('discriminator', { type: 'string', describe: 'pretrained StyleGAN2 discriminator ({params})' })
      .option('out', { type: 'string', demandOption: true, describe: 'checkpoint folder to write' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .example(
        '$0 weights import --arch paper-faces-512-nafnet-deblur --resmodule resmodule.pth --synmodule synmodule.pth --fusmodule fusmodule.pth --out ckpt/deblur',
        'the three official UGPNet stage files → one checkpoint for ugp restore',
      )
      .example(
        '$0 weights import --arch paper-faces-512 --regression NAFNet-SIDD-width32.pth --generator net_g.pth --discriminator net_d.pth --out priors/faces',
        'pretrained priors only (a partial checkpoint)',
      ),
  handler: async (argv) => {
    const { UserError } = await import('@ugpnet/core');
    const files = Object.fromEntries(FILE_FLAGS.filter((f) => argv[f]).map((f) => [f, argv[f]!]));
    if (Object.keys(files).length === 0) {
      throw new UserError(
        `weights import: give at least one file (${FILE_FLAGS.map((f) => `--${f}`).join(', ')})`,
      );
    }
    const { existsSync } = await import('node:fs');
    for (const [flag, path] of Object.entries(files)) {
      if (!existsSync(path)) throw new UserError(`--${flag} ${path}: file does not exist`);
    }
    await (await import('../backend.js')).useBackend(argv);
    const models = await import('@ugpnet/models');
    const arch = models.resolveArch(argv.arch);
    const raw = await models.readOfficialWeights(arch, files);
    const { tensors, parts } = models.validateUgpNetTensors(arch, raw, 'weights import');
    const written = models.writeUgpNetCheckpoint(argv.out, arch, tensors, parts, {
      sources: JSON.stringify(files),
    });
    const missing = models.INFERENCE_PARTS.filter((p) => !parts.includes(p));
    const result = {
      ...written,
      parts,
      tensors: tensors.size,
      ...(missing.length ? { not_for_inference: `missing ${missing.join(', ')}` } : {}),
    };
    if (argv.json) return printJson(result);
    process.stdout.write(
      `wrote ${written.weights} (${tensors.size} tensors: ${parts.join(', ')}) and ${written.arch}\n`,
    );
    if (missing.length) {
      process.stdout.write(
        `note: no ${missing.join(', ')} weights: fine for training priors, not for ugp restore\n`,
      );
    }
  },
});
