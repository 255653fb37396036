#!/usr/bin/env node
// `npm run demo`: a small fleet on this machine — a broker, pima-hub and four simulated points with
// different scenarios and places — so a newcomer sees the hub working. Ctrl-C stops everything.
// The broker is Mosquitto when it is installed (a private one on port 1884); without it, run any MQTT 5
// broker yourself and point the demo at it: PIMA_DEMO_BROKER=mqtt://host:1883 npm run demo.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = resolve(process.env.PIMA_DEMO_DIR ?? 'data/demo');
const webPort = Number(process.env.PIMA_DEMO_WEB_PORT ?? 8090);
const brokerPort = Number(process.env.PIMA_DEMO_PORT ?? 1884);
const speed = Number(process.env.PIMA_DEMO_SPEED ?? 60);
mkdirSync(dir, { recursive: true });

const POINTS = [
  {
    id: 'kyiv-podil-01',
    name: 'Podil school No. 5',
    lat: 50.4651,
    lon: 30.5159,
    scenario: 'blackout',
    seed: 1,
  },
  {
    id: 'tallinn-lasnamae-01',
    name: 'Lasnamäe kerksuskeskus',
    lat: 59.4371,
    lon: 24.8303,
    scenario: 'normal',
    seed: 2,
  },
  {
    id: 'stockholm-kista-01',
    name: 'Kista trygghetspunkt',
    lat: 59.4032,
    lon: 17.9447,
    scenario: 'crowd',
    seed: 3,
  },
  { id: 'lviv-sykhiv-01', name: 'Sykhiv library', lat: 49.7963, lon: 24.0553, scenario: 'week', seed: 4 },
];

const children = [];
const log = (msg) => process.stdout.write(`[demo] ${msg}\n`);

function findMosquitto() {
  for (const d of [
    ...(process.env.PATH ?? '').split(':'),
    '/usr/sbin',
    '/usr/local/sbin',
    '/opt/homebrew/sbin',
  ]) {
    if (!d) continue;
    try {
      accessSync(join(d, 'mosquitto'), constants.X_OK);
      return join(d, 'mosquitto');
    } catch {
      // not here
    }
  }
  return undefined;
}

function start(name, cmd, args, ready) {
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PIMA_KIOSK_CONFIG: '', PIMA_HUB_CONFIG: '' },
  });
  children.push(child);
  let out = '';
  const onData = (d) => {
    out += d.toString();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.on('exit', (code, signal) => {
    if (!stopping) log(`${name} exited (${code ?? signal}):\n${out.split('\n').slice(-8).join('\n')}`);
  });
  return new Promise((resolveReady, reject) => {
    const deadline = Date.now() + 30_000;
    const timer = setInterval(() => {
      if (ready.test(out)) {
        clearInterval(timer);
        resolveReady(child);
      } else if (Date.now() > deadline || child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`${name} did not start:\n${out}`));
      }
    }, 50);
  });
}

let stopping = false;
function stopAll() {
  if (stopping) return;
  stopping = true;
  log('stopping');
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

async function main() {
  let brokerUrl = process.env.PIMA_DEMO_BROKER;
  if (!brokerUrl) {
    const mosquitto = findMosquitto();
    if (!mosquitto) {
      log(
        'Mosquitto is not installed. Install it (apt-get install mosquitto, brew install mosquitto) or run',
      );
      log('any MQTT 5 broker and start the demo with PIMA_DEMO_BROKER=mqtt://host:1883 npm run demo');
      process.exit(1);
    }
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    await start('mosquitto', mosquitto, ['-c', conf], /running/);
    brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;
    log(`broker: Mosquitto on ${brokerUrl}`);
  }
  const hubConfig = join(dir, 'hub.yaml');
  writeFileSync(
    hubConfig,
    `mqtt:\n  url: ${brokerUrl}\ndatabase:\n  url: sqlite:${join(dir, 'hub.db')}\nweb:\n  port: ${webPort}\npoints:\n  staleAfterSec: 30\n`,
  );
  // The hub's session first: a broker keeps nothing for a subscriber that does not exist yet.
  await start(
    'pima-hub',
    process.execPath,
    [join(root, 'dist/src/hub/main.js'), 'run', '--config', hubConfig],
    /subscribed/,
  );
  log(`hub: http://127.0.0.1:${webPort}/api/points  /feeds/points.geojson  /feeds/transitions.atom`);
  log(`dashboard (after pima-hub user add): http://127.0.0.1:${webPort}/  run sheet: /runsheet`);
  for (const p of POINTS) {
    const file = join(dir, `${p.id}.yaml`);
    writeFileSync(
      file,
      `point:\n  id: ${p.id}\n  name: ${p.name}\n  location: { lat: ${p.lat}, lon: ${p.lon} }\n  address: ${p.name}\n  hours: 24/7 during blackouts\n` +
        `storage:\n  path: ${join(dir, `${p.id}.db`)}\nmqtt:\n  url: ${brokerUrl}\n  drainStartJitterMs: 0\n  statusIntervalSec: 10\n` +
        `sign:\n  outputs: [none]\nsimulation:\n  scenario: ${p.scenario}\n  seed: ${p.seed}\n` +
        // the tank size goes out in the point's info: the hub's run sheet works out litres from it
        'rules:\n  fuelTankLitres: 25\n',
    );
    await start(
      p.id,
      process.execPath,
      [join(root, 'dist/src/main.js'), 'run', '--config', file, '--speed', String(speed)],
      /kiosk: running/,
    );
    log(`point ${p.id} (${p.scenario}) running`);
  }
  log(`try: node dist/src/hub/main.js points --config ${hubConfig}`);
  log('Ctrl-C stops the demo');
}

main().catch((err) => {
  log(String(err instanceof Error ? err.message : err));
  stopAll();
});
