#!/usr/bin/env node
import './heap-flags.js';
import { runAsMain } from './cli/process-io.js';
import { runCli } from './cli/program.js';

/** The composition root of pima-kiosk; process handling is in src/cli/process-io.ts, shared with pima-hub. */
await runAsMain(runCli);
