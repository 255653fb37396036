import type { ActiveAlarm, AlarmSource, CommandOutcome } from '../../src/web/types.js';

/** Alarms as the alarm issue will report them; acknowledging records who asked. */
export class RecordingAlarms implements AlarmSource {
  readonly acks: Array<{ id: string; actor: string }> = [];
  private alarms: ActiveAlarm[] = [
    { id: 'FUEL_LOW', level: 'alarm', message: 'fuel for less than 8 h', acknowledged: false },
  ];
  active(): ActiveAlarm[] {
    return this.alarms;
  }
  async acknowledge(id: string, actor: string): Promise<CommandOutcome> {
    this.acks.push({ id, actor });
    this.alarms = this.alarms.map((a) => (a.id === id ? { ...a, acknowledged: true } : a));
    return { ok: true, text: `alarm ${id} acknowledged` };
  }
}
