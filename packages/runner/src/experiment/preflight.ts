// Checks made before a run (or a grid's runs) is created, so nothing is recorded for an
// experiment that cannot train as written: the pretrained perceptual weights a recipe needs
// (no silent random-VGG stand-in unless `perceptual.allow_proxy`), and the weight files it names.
import { existsSync } from 'node:fs';
import { UserError } from '@ugpnet/core';
import { defaultWeightsDir, hasCachedWeights, type WeightName } from '@ugpnet/losses';
import type { Experiment } from './schema.js';

/** LPIPS (its VGG16 trunk and heads) for the synthesis/fusion losses and every validation; VGG19 for the contextual loss. */
export function requiredPerceptualWeights(experiment: Experiment): WeightName[] {
  const fusion = experiment.stages.fusion;
  const contextual = experiment.stages_to_run.includes('fusion') && fusion.contextual_weight > 0;
  return contextual ? ['lpips', 'vgg16', 'vgg19'] : ['lpips', 'vgg16'];
}

/** The perceptual weights missing from the cache (none when the experiment allows the proxy). */
export function missingPerceptualWeights(experiment: Experiment): WeightName[] {
  if (experiment.perceptual.allow_proxy) return [];
  const dir = experiment.perceptual.weights_dir ?? defaultWeightsDir();
  return requiredPerceptualWeights(experiment).filter((name) => !hasCachedWeights(name, dir));
}

export function checkPerceptualWeights(experiment: Experiment, source: string): void {
  const missing = missingPerceptualWeights(experiment);
  if (missing.length === 0) return;
  const dir = experiment.perceptual.weights_dir ?? defaultWeightsDir();
  // `ugp weights fetch lpips` also fetches its VGG16 trunk.
  const fetchNames = missing.filter((name) => !(name === 'vgg16' && missing.includes('lpips')));
  const fetch = fetchNames.map((name) => `ugp weights fetch ${name}`).join(' && ');
  throw new UserError(
    `${source}: the pretrained ${missing.join(', ')} weights are not in ${dir}; run \`${fetch}\` ` +
      '(or set perceptual.allow_proxy: true to train with the random-weight proxy VGG, reported as lpips_proxy)',
  );
}

/** Every weight or checkpoint file the experiment names must exist. */
export function checkNamedFiles(experiment: Experiment, source: string): void {
  for (const [key, file] of Object.entries(experiment.init)) {
    if (!key.endsWith('_weights') && !key.endsWith('_checkpoint')) continue;
    if (typeof file === 'string' && !existsSync(file)) {
      throw new UserError(
        `${source}: init.${key} names ${file}, which does not exist` +
          (key === 'regression_weights'
            ? ' (set it to null to pretrain the regression network instead)'
            : ''),
      );
    }
  }
}

/** Everything that must hold before a run of `experiment` is created. */
export function preflightExperiment(experiment: Experiment, source: string): void {
  checkNamedFiles(experiment, source);
  checkPerceptualWeights(experiment, source);
}
