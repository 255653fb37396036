import nodeCron from 'node-cron';

/** Why a cron expression is not accepted, or undefined when it is (5 fields, minute resolution). */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  const detail = nodeCron.validateDetailed(expression);
  if (detail.valid) return undefined;
  return detail.errors.map((e) => e.message).join('; ') || 'not a valid cron expression';
}
