#!/usr/bin/env node
// The operator's tool. Runs the TypeScript sources through tsx so a clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../tools/kanal/src/main.ts');
process.exitCode = await main(process.argv.slice(2));
