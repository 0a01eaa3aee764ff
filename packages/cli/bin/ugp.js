#!/usr/bin/env node
// Runs the compiled CLI; `npm install` builds it through the root `prepare` script.
import { main } from '../dist/index.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
