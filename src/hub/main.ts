#!/usr/bin/env node
import { runAsMain } from '../cli/process-io.js';
import { runHubCli } from './cli/program.js';

/** The composition root of pima-hub; process handling is in src/cli/process-io.ts, shared with pima-kiosk. */
await runAsMain(runHubCli);
