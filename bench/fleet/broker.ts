// A private Mosquitto with the shipped ACL template and a generated password file, restartable on the
// same port (a "grid return": the broker comes back, every point reconnects to the address it knows).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Mosquitto, startMosquitto } from '../../test/helpers/mosquitto.js';
import { type Credential, handToBroker, shippedAclPath, writePasswordFile } from './credentials.js';

export interface SecuredBrokerOptions {
  users: readonly Credential[];
  /** Extra mosquitto.conf lines (sys_interval, limits). */
  config?: string;
  /** Running as root: the files go to the mosquitto user (see handToBroker). */
  isRoot: boolean;
}

export class SecuredBroker {
  private broker: Mosquitto | undefined;
  private listenPort = 0;
  private readonly dir: string;
  private readonly passwordFile: string;

  constructor(private readonly opts: SecuredBrokerOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'pima-fleet-broker-'));
    // Traversable (not listable) by the broker's own user; the file inside stays 0600.
    chmodSync(this.dir, 0o711);
    this.passwordFile = join(this.dir, 'passwd');
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.listenPort}`;
  }

  /** The loopback port it listens on (the same across restarts); 0 before the first start. */
  get port(): number {
    return this.listenPort;
  }

  /** Writes the password file once, then starts (or restarts on the same port). */
  async start(): Promise<void> {
    if (this.broker) return;
    if (this.listenPort === 0) {
      writePasswordFile(this.passwordFile, this.opts.users);
      handToBroker([this.passwordFile], this.opts.isRoot);
    }
    const lines = [
      // Later lines win: the helper's listener allows anonymous clients, this broker does not.
      'allow_anonymous false',
      `password_file ${this.passwordFile}`,
      `acl_file ${shippedAclPath()}`,
      // as docs/broker/mosquitto.conf: the client id is the username, so no point can take another's
      'use_username_as_clientid true',
      this.opts.config ?? '',
    ];
    // The first start lets the helper pick the port (it retries one taken meanwhile); restarts keep it.
    const config = lines.join('\n');
    this.broker = await startMosquitto(
      this.listenPort === 0 ? { config } : { port: this.listenPort, config },
    );
    this.listenPort = this.broker.port;
  }

  async stop(): Promise<void> {
    const b = this.broker;
    this.broker = undefined;
    await b?.stop();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
