// `ugp doctor [--json]`: which compute backend runs here and why; what the GPU path
// (@tensorflow/tfjs-node-gpu 4.22 = libtensorflow 2.9.1 = CUDA 11.2 + cuDNN 8.1) is missing on this
// machine (package, binding, CUDA/cuDNN libraries, GPUs and whether TensorFlow 2.9 has kernels for
// them); the CPU paths' facts; kernels our training steps use that the backend lacks; and a timed
// 3×3 convolution. The diagnosis lives in @ugpnet/tensor (doctor/); this prints it.
import type { Argv } from 'yargs';
import { command } from '../command.js';

interface Args {
  backend?: string;
  json: boolean;
}

export const doctorCommand = command<Args>()({
  command: 'doctor',
  describe: 'which backend runs and why; what the GPU path (tfjs-node-gpu) needs here; CPU facts',
  builder: (y: Argv) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'print the whole report as JSON' })
      .example('$0 doctor', 'what runs here, and every problem with its next step')
      .example('$0 doctor --backend node-gpu --json', 'why the GPU backend cannot run, as JSON'),
  handler: async (argv) => {
    const { formatDoctor, parseBackendName, runDoctor } = await import('@ugpnet/tensor');
    const flag = argv.backend ?? process.env.UGP_BACKEND;
    const source = argv.backend !== undefined ? '--backend' : 'UGP_BACKEND';
    const requested = flag === undefined || flag === 'auto' ? 'auto' : parseBackendName(flag, source);
    const report = await runDoctor({
      requested,
      log: (line) => process.stderr.write(`[doctor] ${line}\n`),
    });
    if (argv.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${formatDoctor(report).join('\n')}\n`);
    // Asked for a backend that cannot run: the report says why; the exit code says it failed.
    if (report.refused) process.exitCode = 1;
  },
});
