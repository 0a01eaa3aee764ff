// `ugp restore`: runs a UGPNet checkpoint folder (ugpnet.safetensors + arch.json) on an image or
// a folder of images and writes I_F under the input file names (--all: also I_R and I_G, in
// fused/, restored/, synthesized/). PNGs are rounded as the reference's postprocess does,
// clip(x·255 + 0.5, 0, 255) → uint8; npy is float32 NCHW [1, 3, H, W].
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { useBackend } from '../backend.js';
import { printJson } from '../output.js';

interface Args {
  backend?: string;
  checkpoint: string;
  input: string;
  output: string;
  all: boolean;
  format: 'png' | 'npy';
  json: boolean;
}

const OUTPUT_FOLDERS = { I_F: 'fused', I_R: 'restored', I_G: 'synthesized' } as const;

export const restoreCommand = command<Args>()({
  command: 'restore',
  describe: 'restore images with a UGPNet checkpoint (writes I_F; --all also I_R and I_G)',
  builder: (y: Argv) =>
    y
      .option('checkpoint', {
        type: 'string',
        demandOption: true,
        describe: 'checkpoint folder with ugpnet.safetensors + arch.json (ugp weights import / export)',
      })
      .option('input', {
        type: 'string',
        demandOption: true,
        describe: 'an image (png, jpg, …, or a float NCHW .npy in [0,1]) or a folder of them',
      })
      .option('output', { type: 'string', demandOption: true, describe: 'folder for the results' })
      .option('all', {
        type: 'boolean',
        default: false,
        describe: 'also write I_R and I_G: results go to fused/, restored/, synthesized/',
      })
      .option('format', {
        choices: ['png', 'npy'] as const,
        default: 'png' as const,
        describe: 'output format',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the written files as JSON' })
      .example('$0 restore --checkpoint ckpt/deblur --input blurry/ --output results/', 'a folder of images')
      .example(
        '$0 restore --checkpoint ckpt/deblur --input face.png --output out --all --format npy',
        'all three outputs as float32 NCHW arrays',
      ),
  handler: async (argv) => {
    const { existsSync, mkdirSync, readdirSync, statSync } = await import('node:fs');
    const { basename, extname, join } = await import('node:path');
    const tensorLib = await import('@ugpnet/tensor');
    const { IMAGE_EXTENSIONS, UserError } = await import('@ugpnet/core');
    if (!existsSync(argv.input)) throw new UserError(`--input ${argv.input} does not exist`);
    const accepted = [...IMAGE_EXTENSIONS, '.npy'];
    const isInput = (name: string) => accepted.includes(extname(name).toLowerCase());
    const inputs = statSync(argv.input).isDirectory()
      ? readdirSync(argv.input)
          .filter(isInput)
          .sort()
          .map((name) => join(argv.input, name))
      : [argv.input];
    if (inputs.length === 0) {
      throw new UserError(`--input ${argv.input}: no images (${accepted.join(', ')}) in the folder`);
    }
    if (!isInput(argv.input) && !statSync(argv.input).isDirectory()) {
      throw new UserError(`--input ${argv.input}: not an image (${accepted.join(', ')}) or a folder`);
    }
    const stems = new Map<string, string>();
    for (const path of inputs) {
      const stem = basename(path, extname(path));
      const other = stems.get(stem);
      if (other)
        throw new UserError(`--input: ${other} and ${path} would both be written as ${stem}.${argv.format}`);
      stems.set(stem, path);
    }

    await useBackend(argv);
    const tf = await import('@tensorflow/tfjs-core');
    const { loadUgpNet } = await import('@ugpnet/models');
    const net = loadUgpNet(argv.checkpoint);
    const names = argv.all ? (['I_F', 'I_R', 'I_G'] as const) : (['I_F'] as const);
    const folderOf = (name: keyof typeof OUTPUT_FOLDERS) =>
      argv.all ? join(argv.output, OUTPUT_FOLDERS[name]) : argv.output;
    for (const name of names) mkdirSync(folderOf(name), { recursive: true });
    const written: Array<{ input: string } & Partial<Record<(typeof names)[number], string>>> = [];
    try {
      for (const [stem, path] of stems) {
        const x = await readInput(path, tensorLib);
        const out = net.forward(x);
        const files: (typeof written)[number] = { input: path };
        try {
          for (const name of names) {
            const file = join(folderOf(name), `${stem}.${argv.format}`);
            await writeOutput(file, out[name], argv.format, tensorLib);
            files[name] = file;
          }
        } finally {
          tf.dispose([x, out.I_R, out.I_G, out.I_F]);
        }
        written.push(files);
        if (!argv.json) process.stdout.write(`${path} → ${names.map((n) => files[n]).join(', ')}\n`);
      }
    } finally {
      net.dispose();
    }
    if (argv.json) printJson(written);
  },
});

type TensorLib = typeof import('@ugpnet/tensor');

/** An input image as a [1, H, W, 3] float batch in [0, 1] (npy: NCHW [1, 3, H, W] or [3, H, W]). */
async function readInput(path: string, lib: TensorLib) {
  const { extname } = await import('node:path');
  const { UserError } = await import('@ugpnet/core');
  if (extname(path).toLowerCase() === '.npy') {
    const t = lib.readNpy(path);
    const shape = t.shape.length === 3 ? [1, ...t.shape] : t.shape;
    if (shape.length !== 4 || shape[0] !== 1 || shape[1] !== 3) {
      throw new UserError(`${path}: expected a float NCHW array [1, 3, H, W] or [3, H, W], got [${t.shape}]`);
    }
    return lib.nchwToNhwc({ shape, data: t.data });
  }
  const { readImage8, images8ToTensor } = await import('@ugpnet/metrics');
  const image = await readImage8(path);
  if (image.channels !== 3)
    throw new UserError(`${path}: expected an RGB image, got ${image.channels} channels`);
  return images8ToTensor([image]);
}

/** Writes one [1, H, W, 3] output: an 8-bit PNG rounded as the reference, or float32 NCHW npy. */
async function writeOutput(
  file: string,
  x: import('@tensorflow/tfjs-core').Tensor4D,
  format: 'png' | 'npy',
  lib: TensorLib,
): Promise<void> {
  if (format === 'npy') {
    lib.writeNpy(file, lib.nhwcToNchw(x));
    return;
  }
  const { tensorToImages8 } = await import('@ugpnet/metrics');
  const { default: sharp } = await import('sharp');
  const [image] = await tensorToImages8(x);
  const { width, height, channels, data } = image!;
  await sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width, height, channels: channels as 3 },
  })
    .png()
    .toFile(file);
}
