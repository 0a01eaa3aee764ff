// Builds the optional oneDNN addon (build/ugp_native.node) at `npm install`. Without oneDNN's
// headers (Debian: apt-get install -y libdnnl-dev), a C++ compiler or Node's headers it prints why
// and exits 0: the install succeeds and the wasm kernels are used. UGP_NATIVE=0 skips the build.
// Compiled with g++ directly rather than node-gyp: node-gyp would download Node's headers, which
// Debian's nodejs (and any official Node tarball) already ships under <prefix>/include/node.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, 'build', 'ugp_native.node');
const say = (line) => console.log(`[ugp native] ${line}`);

function firstExisting(candidates) {
  return candidates.find((dir) => dir && existsSync(dir));
}

function main() {
  if (process.env.UGP_NATIVE === '0') return say('UGP_NATIVE=0: not building the oneDNN kernels');
  const dnnlRoot = process.env.DNNL_ROOT;
  const dnnlInclude = firstExisting(
    [dnnlRoot && join(dnnlRoot, 'include'), '/usr/include', '/usr/local/include'].filter(
      (dir) => dir && existsSync(join(dir, 'dnnl.hpp')),
    ),
  );
  if (!dnnlInclude) {
    return say(
      'oneDNN headers (dnnl.hpp) not found; using the wasm kernels. For native kernels: apt-get install -y libdnnl-dev, then npm rebuild @ugpnet/tensor',
    );
  }
  const nodeInclude = firstExisting(
    [
      join(resolve(dirname(process.execPath), '..'), 'include', 'node'),
      '/usr/include/node',
      '/usr/local/include/node',
    ].filter((dir) => existsSync(join(dir, 'node_api.h'))),
  );
  if (!nodeInclude) return say("Node's headers (node_api.h) not found; using the wasm kernels");
  const compiler = process.env.CXX || 'g++';
  mkdirSync(dirname(output), { recursive: true });
  const args = [
    '-O3',
    // The fused Adam update must round like the separate float32 kernels it replaces: no FMA.
    '-ffp-contract=off',
    // sqrt without errno, so that its loops vectorise.
    '-fno-math-errno',
    '-std=c++17',
    '-shared',
    '-fPIC',
    '-fopenmp',
    '-DNODE_GYP_MODULE_NAME=ugp_native',
    `-I${nodeInclude}`,
    `-I${dnnlInclude}`,
    ...(dnnlRoot ? [`-L${join(dnnlRoot, 'lib')}`, `-Wl,-rpath,${join(dnnlRoot, 'lib')}`] : []),
    join(here, 'src', 'addon.cc'),
    join(here, 'src', 'elementwise.cc'),
    '-ldnnl',
    '-o',
    output,
  ];
  say(`building with oneDNN from ${dnnlInclude}`);
  const result = spawnSync(compiler, args, { stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    return say(
      `the build failed (${result.error?.message ?? `exit ${result.status}`}); using the wasm kernels`,
    );
  }
  say(`built ${output}`);
}

main();
