#!/usr/bin/env node
// Regenerates packages/tensor/fixtures/tfjs-node-kernels.json: the kernels @tensorflow/tfjs-node
// registers for its 'tensorflow' backend, taken from the package itself.
//
//   cd /tmp && npm pack @tensorflow/tfjs-node@4.22.0      # downloads the tarball; runs no install script
//   node tools/tfjs-node-kernels.mjs /tmp/tensorflow-tfjs-node-4.22.0.tgz
//
// It unpacks the tarball into a temporary folder and runs the package's own
// dist/register_all_kernels.js against this repository's @tensorflow/tfjs (the same 4.22 the
// package depends on), then reads tfjs' kernel registry for 'tensorflow'. Registering kernels only
// builds config objects, so the native binding (libtensorflow, which npm pack never fetches) is not
// needed; the one module that needs google-protobuf (proto/api_pb, used by the kernels' bodies) is
// replaced by an empty object. The kernels are also cross-checked against a plain reading of the
// kernelConfigs list in that file.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(repo, 'packages/tensor/fixtures/tfjs-node-kernels.json');

const tarball = process.argv[2];
if (!tarball) {
  console.error('usage: node tools/tfjs-node-kernels.mjs <tensorflow-tfjs-node-X.Y.Z.tgz>');
  process.exit(1);
}
const bytes = readFileSync(tarball);
const work = mkdtempSync(join(tmpdir(), 'tfjs-node-kernels-'));
try {
  execFileSync('tar', ['xzf', resolve(tarball), '-C', work]);
  const pkgDir = join(work, 'package');
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const deps = readFileSync(join(pkgDir, 'scripts/deps-constants.js'), 'utf8');
  const libtensorflow = /LIBTENSORFLOW_VERSION = '([^']+)'/.exec(deps)?.[1];

  // Resolve the package's @tensorflow imports from this repository; stub the protobuf module.
  const repoRequire = createRequire(join(repo, 'packages/tensor/package.json'));
  const tfjsVersion = JSON.parse(
    readFileSync(repoRequire.resolve('@tensorflow/tfjs/package.json'), 'utf8'),
  ).version;
  if (tfjsVersion !== pkg.dependencies['@tensorflow/tfjs']) {
    throw new Error(
      `this repository has @tensorflow/tfjs ${tfjsVersion}; ${pkg.name}@${pkg.version} wants ${pkg.dependencies['@tensorflow/tfjs']}`,
    );
  }
  const originalResolve = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    if (request.startsWith('@tensorflow/') && parent?.filename?.startsWith(pkgDir)) {
      return originalResolve.call(this, request, parent, false, { paths: [join(repo, 'packages/tensor')] });
    }
    return originalResolve.call(this, request, parent, ...rest);
  };
  const protoPath = join(pkgDir, 'dist/proto/api_pb.js');
  const req = createRequire(join(pkgDir, 'dist/index.js'));
  req.cache[protoPath] = { id: protoPath, filename: protoPath, loaded: true, exports: {} };
  const tf = req('@tensorflow/tfjs');
  req(join(pkgDir, 'dist/register_all_kernels.js'));
  const kernels = tf
    .getKernelsForBackend('tensorflow')
    .map((k) => k.kernelName)
    .sort();

  // Cross-check: one entry per config listed in register_all_kernels.js.
  const source = readFileSync(join(pkgDir, 'dist/register_all_kernels.js'), 'utf8');
  const listed = /kernelConfigs = \[([^\]]*)\]/
    .exec(source)?.[1]
    .split(',')
    .filter((s) => s.trim());
  if (!listed || listed.length !== kernels.length) {
    throw new Error(`registry has ${kernels.length} kernels, kernelConfigs lists ${listed?.length}`);
  }

  const fixture = {
    package: pkg.name,
    version: pkg.version,
    libtensorflow,
    backend: 'tensorflow',
    tarball: basename(tarball),
    tarballSha256: createHash('sha256').update(bytes).digest('hex'),
    howMade:
      'npm pack of the package (no install script runs), then tools/tfjs-node-kernels.mjs ran its dist/register_all_kernels.js against @tensorflow/tfjs ' +
      tfjsVersion +
      " and listed tf.getKernelsForBackend('tensorflow'). @tensorflow/tfjs-node-gpu ships the same dist/ files.",
    kernels,
  };
  writeFileSync(output, `${JSON.stringify(fixture, null, 2)}\n`);
  console.log(
    `${output}: ${kernels.length} kernels of ${pkg.name}@${pkg.version} (libtensorflow ${libtensorflow})`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
