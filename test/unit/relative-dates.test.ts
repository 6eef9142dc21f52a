import { resolveRelativeDates } from '../../src/sandbox/relative-dates';
import { examplePatients } from '../../src/sandbox/example-patients';

describe('relative dates of the sandbox patients', () => {
  const today = new Date('2026-03-01T15:30:00Z');

  test.each([
    ['{today}', '2026-03-01'],
    ['{today-9w}', '2025-12-28'],
    ['{today-1d}T09:00:00Z', '2026-02-28T09:00:00Z'],
    ['{today+2d}', '2026-03-03'],
    ['{today-52y-193d}', '1973-08-20'],
    ['{today-1y}', '2025-03-01'],
    ['2020-01-01', '2020-01-01'],
    ['today-3d', 'today-3d'],
    ['{tomorrow}', '{tomorrow}'],
  ])('%s is %s', (written, resolved) => {
    expect(resolveRelativeDates({ nested: [written] }, today)).toEqual({ nested: [resolved] });
  });

  test('other values are left as they are', () => {
    expect(resolveRelativeDates([7, null, true, { a: false }], today)).toEqual([7, null, true, { a: false }]);
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
