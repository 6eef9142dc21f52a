import { resolveRelativeDates } from '../../src/sandbox/relative-dates';
import { examplePatients } from '../../src/sandbox/example-patients';

describe('relative dates of the sandbox patients', () => {
  const today = new Date('2026-03-01T15:30:00Z');

  test('days, weeks and years before or after today, alone or before a time', () => {
    expect(
      resolveRelativeDates(
        {
          a: '{today}',
          b: '{today-9w}',
          c: ['{today-1d}T09:00:00Z', '{today+2d}'],
          birthDate: '{today-52y-193d}',
          leap: '{today-1y}',
          untouched: ['2020-01-01', 'today-3d', '{tomorrow}', 7, null, true],
        },
        today,
      ),
    ).toEqual({
      a: '2026-03-01',
      b: '2025-12-28',
      c: ['2026-02-28T09:00:00Z', '2026-03-03'],
      birthDate: '1973-08-20',
      leap: '2025-03-01',
      untouched: ['2020-01-01', 'today-3d', '{tomorrow}', 7, null, true],
    });
  });

  test('every example patient resolves completely, with every date in the past', () => {
    for (const patient of examplePatients(today)) {
      const text = JSON.stringify(patient.resources);
      expect(text).not.toContain('{today');
      for (const [date] of text.matchAll(/\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?/g)) {
        expect({ patient: patient.id, date, past: Date.parse(date) <= today.getTime() }).toEqual({
          patient: patient.id,
          date,
          past: true,
        });
      }
      expect(patient.resources[0]).toMatchObject({ resourceType: 'Patient', id: patient.id });
      expect(patient.story.length).toBeGreaterThan(10);
    }
  });
});
