import { describe, expect, it } from 'vitest';
import { type NotifySender, SdNotify, systemdNotifyCli } from '../../../src/system/sd-notify.js';

function recorder(fail = false): { send: NotifySender; sent: Array<{ socket: string; fields: string[] }> } {
  const sent: Array<{ socket: string; fields: string[] }> = [];
  return {
    sent,
    send: async (socket, fields) => {
      // a slow first message must not let later ones overtake it
      if (sent.length === 0) await new Promise((r) => setTimeout(r, 20));
      sent.push({ socket, fields: [...fields] });
      if (fail) throw new Error('no helper');
    },
  };
}

describe('SdNotify', () => {
  it('sends READY, WATCHDOG and STOPPING in order, with one-line STATUS', async () => {
    const r = recorder();
    const n = new SdNotify({ socket: '/run/notify', send: r.send });
    n.ready('OPEN\nsecond line');
    n.watchdog();
    n.stop();
    n.watchdog('after stopping');
    await n.flush();
    expect(r.sent).toEqual([
      { socket: '/run/notify', fields: ['READY=1', 'STATUS=OPEN second line'] },
      { socket: '/run/notify', fields: ['WATCHDOG=1'] },
      { socket: '/run/notify', fields: ['STOPPING=1', 'STATUS=stopping'] },
    ]);
  });

  it('is silent without a socket', async () => {
    const r = recorder();
    for (const socket of [undefined, '']) {
      const n = new SdNotify({ socket, send: r.send });
      expect(n.enabled).toBe(false);
      n.ready('x');
      n.watchdog();
      n.stop();
      await n.flush();
    }
    expect(r.sent).toEqual([]);
  });

  it('never throws when sending fails, and reports only the first failure', async () => {
    const r = recorder(true);
    const errors: unknown[] = [];
    const n = new SdNotify({ socket: '/nowhere', send: r.send, onError: (e) => errors.push(e) });
    expect(() => {
      n.ready();
      n.watchdog();
      n.watchdog();
    }).not.toThrow();
    await n.flush();
    expect(r.sent).toHaveLength(3);
    expect(errors).toHaveLength(1);
  });
});

describe('systemdNotifyCli', () => {
  it('rejects, without throwing synchronously, when the helper is missing', async () => {
    const send = systemdNotifyCli({ env: { PATH: '/nonexistent' }, command: 'no-such-systemd-notify' });
    await expect(send('/tmp/x.sock', ['READY=1'])).rejects.toThrow(/no-such-systemd-notify failed/);
  });
});
