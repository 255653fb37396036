/**
 * Imported first by main.ts, before anything allocates: V8's young generation grows to 2 × 16 MB under
 * the service's steady trickle of short-lived objects, a third of its idle memory (bench:footprint,
 * docs/RESULTS.md). 1 MB semi-spaces cost more frequent but tiny scavenges; a Pi has the CPU, not the
 * memory. A `--max-semi-space-size` given on the command line or in NODE_OPTIONS wins.
 */
import { setFlagsFromString } from 'node:v8';

const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('semi-space'));
if (!given) setFlagsFromString('--max-semi-space-size=1');
