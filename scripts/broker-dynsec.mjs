#!/usr/bin/env node
// Writes (or updates) the Mosquitto dynamic security plugin's config file for a fleet of points: one
// client and one role per point, plus the municipality's receiver and monitor (docs/broker/README.md).
//
//   node scripts/broker-dynsec.mjs --config /var/lib/mosquitto/dynamic-security.json \
//        --passwords /root/pima-users.txt [--prefix pima/v1] [--client-id-prefix pima-kiosk-]
//
// The passwords file (mode 0600) has one `username:password` line per user, like `mosquitto_passwd -U`
// takes: point ids ([a-z0-9-], 1..64), `pima_receiver`, `pima_monitor`. A line with a username alone keeps
// the password already in the config. The list is the whole fleet: a point missing from it loses its
// client and role (revocation). Clients and roles not made by this script (the admin from
// `mosquitto_ctrl dynsec init`) are kept as they are. Running it again with the same input writes the
// same file: a password that still matches keeps its salt and hash.
//
// Every point's client is bound to one client id, the one its uplink uses (`pima-kiosk-{point.id}`, or
// --client-id-prefix + point.id): with a point's credentials nobody can connect under another point's
// client id and take over its session (the broker disconnects the older of two sessions with one id).
// The service users keep free client ids: a municipality may run several receivers.
//
// Mosquitto 2.0's plugin reads the file only at start (restart the broker after running this) and
// rewrites it on every change made live through mosquitto_ctrl, so don't run this against a running
// broker's file and then make live changes before the restart.
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const POINT_ID = /^[a-z0-9-]{1,64}$/;
const RECEIVER = 'pima_receiver';
const MONITOR = 'pima_monitor';
// Role names carry this prefix so the script knows which roles are its own to rewrite or remove.
const ROLE_PREFIX = 'pima-';
// What mosquitto_ctrl and mosquitto_passwd 2.0 use (PBKDF2-SHA512, 12-byte salt, 101 rounds): every
// CONNECT of a whole fleet returning from a blackout pays it, and random passwords need no stretching.
const SALT_BYTES = 12;
const HASH_BYTES = 64;
const ITERATIONS = 101;

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    passwords: { type: 'string' },
    prefix: { type: 'string', default: 'pima/v1' },
    'client-id-prefix': { type: 'string', default: 'pima-kiosk-' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help || !values.config || !values.passwords) {
  console.error(
    'usage: broker-dynsec.mjs --config dynamic-security.json --passwords users.txt [--prefix pima/v1] [--client-id-prefix pima-kiosk-]',
  );
  process.exit(values.help ? 0 : 2);
}
const prefix = values.prefix.replace(/\/+$/, '');
if (prefix === '' || /[+#]/.test(prefix)) fail(`bad --prefix ${values.prefix}`);
const clientIdPrefix = values['client-id-prefix'];
if (!/^[A-Za-z0-9_.-]{0,40}$/.test(clientIdPrefix)) fail(`bad --client-id-prefix ${clientIdPrefix}`);

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`broker-dynsec: ${message}`);
  process.exit(1);
}

/** @param {'publishClientSend'|'publishClientReceive'|'subscribePattern'} acltype @param {string} topic */
function allow(acltype, topic) {
  return { acltype, topic, priority: 0, allow: true };
}

/** The same rights as docs/broker/aclfile, but SUBSCRIBE is checked too (and refused in the SUBACK). */
function pointRole(id) {
  const base = `${prefix}/${id}`;
  return {
    rolename: `${ROLE_PREFIX}point-${id}`,
    textdescription: `point ${id}: writes its own data, reads its own commands`,
    acls: [
      ...['online', 'status', 'info', 'telemetry', 'events', 'cmd/+/result'].map((t) =>
        allow('publishClientSend', `${base}/${t}`),
      ),
      allow('subscribePattern', `${base}/cmd/+`),
      allow('publishClientReceive', `${base}/cmd/+`),
      // the retained desired state the municipality sets for it (CONTRACT.md §6)
      allow('subscribePattern', `${base}/desired`),
      allow('publishClientReceive', `${base}/desired`),
    ],
  };
}

const SERVICE_ROLES = {
  [RECEIVER]: {
    rolename: `${ROLE_PREFIX}receiver`,
    textdescription: 'the municipality: reads every point, commands any point, cannot forge their data',
    acls: [
      allow('subscribePattern', `${prefix}/+/#`),
      // Mosquitto 2.0 checks a shared subscription's filter with its $share/{group}/ prefix on.
      allow('subscribePattern', `$share/+/${prefix}/+/#`),
      allow('publishClientReceive', `${prefix}/+/#`),
      allow('publishClientSend', `${prefix}/+/cmd/+`),
      allow('publishClientSend', `${prefix}/+/desired`),
    ],
  },
  [MONITOR]: {
    rolename: `${ROLE_PREFIX}monitor`,
    textdescription: "monitoring: the broker's own load figures only",
    acls: [allow('subscribePattern', '$SYS/#'), allow('publishClientReceive', '$SYS/#')],
  },
};

/** @returns {{username: string, password: string | undefined}[]} */
function readUsers(file) {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) fail(`${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`);
  const users = [];
  const seen = new Set();
  for (const [i, raw] of readFileSync(file, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const username = colon < 0 ? line : line.slice(0, colon);
    const password = colon < 0 ? undefined : line.slice(colon + 1);
    if (!POINT_ID.test(username) && !(username in SERVICE_ROLES))
      fail(`${file}:${i + 1}: ${username} is neither a point id ([a-z0-9-], 1..64) nor a service user`);
    if (password === '') fail(`${file}:${i + 1}: empty password for ${username}`);
    if (seen.has(username)) fail(`${file}:${i + 1}: ${username} listed twice`);
    seen.add(username);
    users.push({ username, password });
  }
  return users;
}

function hash(password, salt, iterations) {
  return pbkdf2Sync(password, salt, iterations, HASH_BYTES, 'sha512');
}

/** The existing client's hash if `password` still matches it (idempotence), else a fresh salt and hash. */
function credentials(existing, username, password) {
  if (password === undefined) {
    if (!existing?.password) fail(`${username} has no password in the config yet: give one`);
    return { password: existing.password, salt: existing.salt, iterations: existing.iterations };
  }
  if (existing?.password && existing.salt && Number.isInteger(existing.iterations)) {
    const stored = Buffer.from(existing.password, 'base64');
    const again = hash(password, Buffer.from(existing.salt, 'base64'), existing.iterations);
    if (stored.length === again.length && timingSafeEqual(stored, again))
      return { password: existing.password, salt: existing.salt, iterations: existing.iterations };
  }
  const salt = randomBytes(SALT_BYTES);
  return {
    password: hash(password, salt, ITERATIONS).toString('base64'),
    salt: salt.toString('base64'),
    iterations: ITERATIONS,
  };
}

const config = existsSync(values.config) ? JSON.parse(readFileSync(values.config, 'utf8')) : {};
const users = readUsers(values.passwords);
const ours = new Set(users.map((u) => u.username));
const oldClients = Array.isArray(config.clients) ? config.clients : [];
const oldRoles = Array.isArray(config.roles) ? config.roles : [];
const byName = new Map(oldClients.map((c) => [c.username, c]));
// A client is the script's if one of its roles is: those not in the list any more are revoked.
const isOurs = (c) => (c.roles ?? []).some((r) => String(r.rolename).startsWith(ROLE_PREFIX));

const clients = oldClients.filter((c) => !isOurs(c) && !ours.has(c.username));
const roles = oldRoles.filter((r) => !String(r.rolename).startsWith(ROLE_PREFIX));
for (const { username, password } of users) {
  const role = SERVICE_ROLES[username] ?? pointRole(username);
  roles.push(role);
  clients.push({
    username,
    textname: username in SERVICE_ROLES ? 'pima-kiosk service user' : `point ${username}`,
    // a point connects only under its uplink's client id (mqtt.clientId, default pima-kiosk-{point.id})
    ...(username in SERVICE_ROLES ? {} : { clientid: `${clientIdPrefix}${username}` }),
    ...credentials(byName.get(username), username, password),
    roles: [{ rolename: role.rolename, priority: 0 }],
  });
}

const out = {
  ...config,
  // Deny by default, deliveries included: a right exists only where a role grants it. Unsubscribing
  // stays allowed (it can only take rights away).
  defaultACLAccess: {
    publishClientSend: false,
    publishClientReceive: false,
    subscribe: false,
    unsubscribe: true,
  },
  clients,
  groups: Array.isArray(config.groups) ? config.groups : [],
  roles,
};
const text = `${JSON.stringify(out, null, 2)}\n`;
if (existsSync(values.config) && readFileSync(values.config, 'utf8') === text) {
  console.log(`${values.config}: unchanged (${users.length} users)`);
} else {
  // Temp file and rename: a broker starting meanwhile reads the old file or the new, never half of one.
  const tmp = `${values.config}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  // The broker reads the file as its own user (mosquitto): a root-owned replacement would leave it
  // loading nothing and refusing every client. Keep the owner of the file being replaced.
  if (existsSync(values.config) && process.getuid?.() === 0) {
    const { uid, gid } = statSync(values.config);
    chownSync(tmp, uid, gid);
  }
  renameSync(tmp, values.config);
  const revoked = oldClients.filter((c) => isOurs(c) && !ours.has(c.username)).map((c) => c.username);
  console.log(
    `${values.config}: ${users.length} users${revoked.length ? `, removed ${revoked.join(', ')}` : ''}; restart mosquitto`,
  );
}
