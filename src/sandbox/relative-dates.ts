/**
 * Dates written relative to today, so example patients never age: `{today}`, `{today-9w}`, `{today-52y-193d}`
 * (units d, w, y), alone or before a time, as in "{today-1d}T09:00:00Z". Other strings are left as they are.
 */
const RELATIVE_DATE = /\{today((?:[+-]\d+[dwy])*)\}/g;
const OFFSET = /([+-])(\d+)([dwy])/g;

/** A copy of `value` with every relative date replaced by the calendar date (UTC) it names on `today`. */
export function resolveRelativeDates<T>(value: T, today: Date): T {
  if (typeof value === 'string')
    return value.replace(RELATIVE_DATE, (_m, offsets: string) => shift(today, offsets)) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => resolveRelativeDates(item, today)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveRelativeDates(item, today)]),
    ) as T;
  }
  return value;
}

function shift(today: Date, offsets: string): string {
  const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  for (const [, sign, amount, unit] of offsets.matchAll(OFFSET)) {
    const n = Number(amount) * (sign === '-' ? -1 : 1);
    if (unit === 'y') date.setUTCFullYear(date.getUTCFullYear() + n);
    else date.setUTCDate(date.getUTCDate() + n * (unit === 'w' ? 7 : 1));
  }
  return date.toISOString().slice(0, 10);
}
