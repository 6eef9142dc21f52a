import { citeCondition, citeProcedure, isoDate } from '../citations';
import { known, notKnown, type Citation, type FactValue } from '../computed-fact';
import { onsetTime } from '../fhir-time';
import { type PatientRecord } from '../patient-record';
import {
  activeCondition,
  activeConditionsIn,
  numberParameter,
  uniqueCitations,
  type FactContext,
  type FactDefinition,
} from './definition';

const WEEK_MS = 7 * 86_400_000;

type Episode = ReturnType<typeof findEpisode>;

/** Several facts read the episode; it is worked out once per patient record. */
const episodes = new WeakMap<PatientRecord, Episode>();

function episode(record: PatientRecord, context: FactContext): Episode {
  let found = episodes.get(record);
  // Stryker disable next-line ConditionalExpression: recomputing gives the same episode; never computing it crashes
  if (found === undefined) {
    found = findEpisode(record, context);
    episodes.set(record, found);
  }
  return found;
}

/**
 * The current episode starts at the newest back pain onset that follows the one before it by at least
 * `newEpisodeGapWeeks`: problem lists keep old codes active for years, and dating new pain from them would make it
 * look chronic and hide the "new back pain" red flags. Without such a gap the episode starts at the oldest onset.
 * Which conditions date an episode: rules/shared.json `valueSetLists` (structural diagnoses only when no back pain
 * code is active).
 */
function findEpisode(record: PatientRecord, context: FactContext) {
  const { backPainEpisode, structuralBackPain } = context.valueSetLists;
  const painCodes = activeConditionsIn(record, backPainEpisode);
  const matches = painCodes.length > 0 ? painCodes : activeConditionsIn(record, structuralBackPain);
  const onsets = matches.flatMap((match) => onsetTime(match.resource) ?? []).sort((a, b) => a - b);
  const gap = numberParameter(context, 'newEpisodeGapWeeks') * WEEK_MS;
  const start = onsets.reduce<number | undefined>(
    (episodeStart, onset, i) => (i === 0 || onset - (onsets[i - 1] as number) >= gap ? onset : episodeStart),
    undefined,
  );
  const current = matches.filter((match) => (onsetTime(match.resource) ?? Number.POSITIVE_INFINITY) >= (start ?? 0));
  return { matches, start, newest: onsets.at(-1), cites: uniqueCitations(current.map(citeCondition)) };
}

/** When the current back pain episode (and with it the conservative-care trial) began, if it is dated. */
export function episodeStartTime(record: PatientRecord, context: FactContext): number | undefined {
  return episode(record, context).start;
}

/**
 * Cauda equina: the coded syndrome or saddle anaesthesia; urinary retention or faecal incontinence only with back
 * pain and an onset inside the current episode (an old or undated retention, e.g. with prostate disease, is not an
 * emergency: the bladder/bowel fact asks whether it is new).
 */
function caudaEquina(record: PatientRecord, context: FactContext) {
  const coded = activeConditionsIn(record, ['cauda-equina-syndrome', 'saddle-anaesthesia']);
  const { matches, start } = episode(record, context);
  // No episode start without back pain: the start alone says whether there is a dated episode.
  const signs =
    start === undefined
      ? []
      : activeConditionsIn(record, ['urinary-retention', 'faecal-incontinence']).filter(
          (match) => (onsetTime(match.resource) ?? Number.NEGATIVE_INFINITY) >= start,
        );
  const found = [...coded, ...signs];
  return known(found.length > 0, uniqueCitations([...found, ...(signs.length > 0 ? matches : [])].map(citeCondition)));
}

function weeksSince(record: PatientRecord, time: number | undefined): number | undefined {
  return time === undefined ? undefined : Math.max(0, Math.round(((record.now.getTime() - time) / WEEK_MS) * 10) / 10);
}

function painWeeks(record: PatientRecord, context: FactContext): number | undefined {
  return weeksSince(record, episode(record, context).start);
}

function durationClass(record: PatientRecord, context: FactContext): string | undefined {
  if (record.activeConditions('chronic-low-back-pain').length > 0) return 'chronic';
  const weeks = painWeeks(record, context);
  if (weeks === undefined) return undefined;
  if (weeks < numberParameter(context, 'acuteMaxWeeks')) return 'acute';
  return weeks <= numberParameter(context, 'chronicAfterWeeks') ? 'subacute' : 'chronic';
}

const UNDATED = 'the back pain condition has no onset or recorded date';

/**
 * A fact read off the episode's start: none when there is no back pain episode, unknown (saying why) when the
 * episode has no date, else the value, citing the conditions behind the episode.
 */
function datedEpisodeFact(
  definition: Omit<FactDefinition, 'compute'>,
  valueOf: (record: PatientRecord, context: FactContext) => FactValue | undefined,
  extraCites: (record: PatientRecord) => Citation[] = () => [],
): FactDefinition {
  return {
    ...definition,
    compute: (record, context) => {
      const { matches, cites } = episode(record, context);
      if (matches.length === 0) return known(null);
      const value = valueOf(record, context);
      return value === undefined ? notKnown(UNDATED, cites) : known(value, [...cites, ...extraCites(record)]);
    },
  };
}

export const episodeFacts: FactDefinition[] = [
  {
    id: 'backPain',
    label:
      'Back pain recorded (low back pain, sciatica, disc herniation or stenosis;' +
      ' else spondylolisthesis or disc degeneration)',
    type: 'boolean',
    absentText: 'none recorded',
    compute: (record, context) => {
      const { matches } = episode(record, context);
      return known(matches.length > 0, uniqueCitations(matches.map(citeCondition)));
    },
  },
  datedEpisodeFact(
    { id: 'episodeStart', label: 'Start of the current back pain episode', type: 'string' },
    (record, context) => isoDate(episode(record, context).start),
  ),
  datedEpisodeFact(
    { id: 'painWeeks', label: 'Weeks since the episode started', type: 'number', unit: 'weeks' },
    painWeeks,
  ),
  datedEpisodeFact(
    { id: 'newestPainWeeks', label: 'Weeks since the newest back pain code began', type: 'number', unit: 'weeks' },
    (record, context) => weeksSince(record, episode(record, context).newest),
  ),
  datedEpisodeFact(
    {
      id: 'durationClass',
      label:
        'Duration class (acute < {{param.acuteMaxWeeks}} weeks,' +
        ' subacute {{param.acuteMaxWeeks}}–{{param.chronicAfterWeeks}}, chronic > {{param.chronicAfterWeeks}})',
      type: 'string',
    },
    durationClass,
  ),
  datedEpisodeFact(
    {
      id: 'conservativeCareWeeks',
      label: 'Weeks of conservative care (episode length; physiotherapy sessions cited when recorded)',
      type: 'number',
      unit: 'weeks',
    },
    painWeeks,
    (record) => record.procedures('physiotherapy-referral').map(citeProcedure),
  ),
  {
    id: 'caudaEquina',
    label:
      'Cauda equina syndrome or saddle anaesthesia, or urinary retention / faecal incontinence' +
      ' that began during the back pain episode',
    type: 'boolean',
    absentText: 'none recorded',
    compute: caudaEquina,
  },
  activeCondition('chronicCode', 'Coded as chronic low back pain', ['chronic-low-back-pain']),
  activeCondition('radicularPain', 'Radicular pain (sciatica or radiculopathy)', ['radicular-pain']),
  activeCondition('discHerniation', 'Lumbar disc herniation', ['lumbar-disc-herniation']),
  activeCondition('spinalStenosis', 'Lumbar spinal stenosis', ['spinal-stenosis']),
  activeCondition('neurogenicClaudication', 'Neurogenic claudication', ['neurogenic-claudication']),
  activeCondition('spondylolisthesis', 'Spondylolisthesis (grade not coded, so treated as possibly grade 2 or more)', [
    'spondylolisthesis',
  ]),
  activeCondition('spondylolysis', 'Spondylolysis (pars defect, no slip coded)', ['spondylolysis']),
  activeCondition('degenerativeDisc', 'Degenerative disc disease or lumbar spondylosis', [
    'degenerative-disc-disease',
    'lumbar-spondylosis',
  ]),
];
