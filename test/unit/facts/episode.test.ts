import type { Condition, Procedure } from '@medplum/fhirtypes';
import type { Fact } from '../../../src/clinical/computed-fact';
import {
  codeIn,
  condition as coded,
  describeCodedProblemFacts,
  factOf,
  parameter,
  patientRecord,
  references,
  weeksAgo,
} from '../../support/fact-record';

/**
 * The back pain episode as the facts read it (src/clinical/facts/episode.ts), through the public fact definitions:
 * where the episode starts, its duration class at the thresholds of rules/parameters.json, and what counts as a
 * cauda equina sign inside it.
 */

const ACUTE_MAX = parameter('acuteMaxWeeks');
const CHRONIC_AFTER = parameter('chronicAfterWeeks');
const NEW_EPISODE_GAP = parameter('newEpisodeGapWeeks');

const day = (weeks: number) => weeksAgo(weeks).slice(0, 10);

function condition(valueSet: string, onsetWeeksAgo?: number, extra: Partial<Condition> = {}): Condition {
  return coded(valueSet, {
    ...(onsetWeeksAgo === undefined ? {} : { onsetDateTime: weeksAgo(onsetWeeksAgo) }),
    ...extra,
  });
}

function facts(conditions: Condition[], procedures: Procedure[] = []): Record<string, Fact> {
  const record = patientRecord({ conditions, procedures });
  const ids = ['backPain', 'episodeStart', 'painWeeks', 'newestPainWeeks', 'durationClass', 'conservativeCareWeeks'];
  return Object.fromEntries([...ids, 'caudaEquina'].map((id) => [id, factOf(id, record)]));
}

describe('episode start', () => {
  test('back pain codes closer than the new-episode gap form one episode that starts at the oldest onset', () => {
    const older = condition('low-back-pain', 20);
    const newer = condition('radicular-pain', 20 - NEW_EPISODE_GAP + 1);
    // Data order is not date order.
    const result = facts([newer, older]);
    expect(result.episodeStart.value).toBe(day(20));
    expect(result.painWeeks.value).toBe(20);
    expect(result.newestPainWeeks.value).toBe(20 - NEW_EPISODE_GAP + 1);
    expect(references(result.episodeStart).sort()).toEqual([`Condition/${older.id}`, `Condition/${newer.id}`].sort());
  });

  test('onsets are put in date order even within one ValueSet listed newest first', () => {
    const newer = condition('low-back-pain', 5);
    const older = condition('low-back-pain', 5 + NEW_EPISODE_GAP - 1);
    expect(facts([newer, older]).episodeStart.value).toBe(day(5 + NEW_EPISODE_GAP - 1));
    const oldest = condition('low-back-pain', 60);
    const start = condition('low-back-pain', 14);
    expect(facts([newer, oldest, start]).episodeStart.value).toBe(day(14));
  });

  test('an onset at least the gap after the previous one starts a new episode, citing only its conditions', () => {
    const old = condition('low-back-pain', 60);
    const recent = condition('low-back-pain', 60 - NEW_EPISODE_GAP);
    const result = facts([old, recent]);
    expect(result.episodeStart.value).toBe(day(60 - NEW_EPISODE_GAP));
    expect(references(result.episodeStart)).toEqual([`Condition/${recent.id}`]);
  });

  test('the newest gap decides: old, then a new episode of two close onsets, starts at the first of the two', () => {
    const result = facts([
      condition('low-back-pain', 100),
      condition('spinal-stenosis', 8),
      condition('low-back-pain', 100 - NEW_EPISODE_GAP - 10),
      condition('radicular-pain', 10),
    ]);
    expect(result.episodeStart.value).toBe(day(10));
    expect(result.newestPainWeeks.value).toBe(8);
  });

  test('an undated back pain code: back pain is known, its dates are unknown and say why', () => {
    const undated = condition('low-back-pain');
    const result = facts([undated]);
    expect(result.backPain).toEqual({
      value: true,
      cites: [expect.objectContaining({ reference: `Condition/${undated.id}` })],
    });
    for (const id of ['episodeStart', 'painWeeks', 'newestPainWeeks', 'durationClass', 'conservativeCareWeeks']) {
      expect(result[id].value).toBeNull();
      expect(result[id].missing).toBe('the back pain condition has no onset or recorded date');
      expect(references(result[id])).toEqual([`Condition/${undated.id}`]);
    }
  });

  test('an undated code beside a dated one stays cited with the episode', () => {
    const undated = condition('low-back-pain');
    const dated = condition('low-back-pain', 3);
    const result = facts([undated, dated]);
    expect(result.episodeStart.value).toBe(day(3));
    expect(references(result.episodeStart)).toEqual([`Condition/${undated.id}`, `Condition/${dated.id}`]);
  });

  test('no back pain: every episode fact is a known "none", not unknown', () => {
    const result = facts([condition('hypertension', 30)]);
    expect(result.backPain).toEqual({ value: false, cites: [] });
    for (const id of ['episodeStart', 'painWeeks', 'newestPainWeeks', 'durationClass'] as const) {
      expect(result[id]).toEqual({ value: null, cites: [] });
    }
  });

  test('a structural diagnosis stands for the episode only without a back pain code', () => {
    const structural = condition('spondylolisthesis', 200);
    expect(facts([structural]).backPain.value).toBe(true);
    expect(facts([structural]).episodeStart.value).toBe(day(200));
    const pain = condition('low-back-pain', 2);
    const both = facts([structural, pain]);
    expect(both.episodeStart.value).toBe(day(2));
    expect(references(both.backPain)).toEqual([`Condition/${pain.id}`]);
  });

  test('an onset in the future counts as zero weeks, and weeks are rounded to one decimal', () => {
    expect(facts([condition('low-back-pain', -2)]).painWeeks.value).toBe(0);
    expect(facts([condition('low-back-pain', 5.26)]).painWeeks.value).toBe(5.3);
  });

  test('conservative care weeks cite the physiotherapy referrals', () => {
    const physio: Procedure = {
      resourceType: 'Procedure',
      id: 'physio-1',
      status: 'completed',
      subject: { reference: 'Patient/p' },
      code: { coding: [codeIn('physiotherapy-referral')] },
      performedDateTime: weeksAgo(2),
    };
    const pain = condition('low-back-pain', 7);
    const result = facts([pain], [physio]);
    expect(result.conservativeCareWeeks.value).toBe(7);
    expect(references(result.conservativeCareWeeks)).toEqual([`Condition/${pain.id}`, 'Procedure/physio-1']);
  });
});

describe('duration class at the thresholds of rules/parameters.json', () => {
  const durationAt = (weeks: number) => facts([condition('low-back-pain', weeks)]).durationClass.value;

  test('acute below acuteMaxWeeks, subacute from it', () => {
    expect(durationAt(ACUTE_MAX - 0.1)).toBe('acute');
    expect(durationAt(ACUTE_MAX)).toBe('subacute');
  });

  test('subacute up to chronicAfterWeeks inclusive, chronic beyond', () => {
    expect(durationAt(CHRONIC_AFTER)).toBe('subacute');
    expect(durationAt(CHRONIC_AFTER + 0.1)).toBe('chronic');
  });

  test('a chronic low back pain code makes it chronic whatever the onset', () => {
    expect(facts([condition('chronic-low-back-pain', 1)]).durationClass.value).toBe('chronic');
  });
});

describe('cauda equina signs', () => {
  test('urinary retention that began in the episode counts, citing it and the back pain', () => {
    const pain = condition('low-back-pain', 3);
    const retention = condition('urinary-retention', 1);
    const result = facts([pain, retention]);
    expect(result.caudaEquina.value).toBe(true);
    expect(references(result.caudaEquina)).toEqual([`Condition/${retention.id}`, `Condition/${pain.id}`]);
  });

  test('faecal incontinence from the episode start day counts', () => {
    expect(facts([condition('low-back-pain', 3), condition('faecal-incontinence', 3)]).caudaEquina.value).toBe(true);
  });

  test('retention older than the episode, undated, or without back pain does not', () => {
    expect(facts([condition('low-back-pain', 3), condition('urinary-retention', 4)]).caudaEquina.value).toBe(false);
    expect(facts([condition('low-back-pain', 3), condition('urinary-retention')]).caudaEquina.value).toBe(false);
    expect(facts([condition('urinary-retention', 1)]).caudaEquina).toEqual({ value: false, cites: [] });
    expect(facts([condition('low-back-pain'), condition('urinary-retention', 1)]).caudaEquina.value).toBe(false);
  });

  test('coded cauda equina syndrome counts on its own, citing only itself', () => {
    const coded = condition('cauda-equina-syndrome');
    const result = facts([coded, condition('low-back-pain', 3)]);
    expect(result.caudaEquina).toEqual({
      value: true,
      cites: [expect.objectContaining({ reference: `Condition/${coded.id}` })],
    });
    expect(facts([condition('saddle-anaesthesia')]).caudaEquina.value).toBe(true);
  });
});

describe('structural diagnoses', () => {
  test.each(['spondylolisthesis', 'spondylolysis', 'degenerative-disc-disease', 'lumbar-spondylosis'])(
    'without a back pain code, %s stands for the episode',
    (valueSet) => {
      expect(facts([condition(valueSet, 30)]).episodeStart.value).toBe(day(30));
    },
  );
});

describe('coded spinal diagnoses', () => {
  describeCodedProblemFacts({
    chronicCode: ['chronic-low-back-pain'],
    radicularPain: ['radicular-pain'],
    discHerniation: ['lumbar-disc-herniation'],
    spinalStenosis: ['spinal-stenosis'],
    neurogenicClaudication: ['neurogenic-claudication'],
    spondylolisthesis: ['spondylolisthesis'],
    spondylolysis: ['spondylolysis'],
    degenerativeDisc: ['degenerative-disc-disease', 'lumbar-spondylosis'],
  });
});
