import { citeCondition, citeProcedure, isoDate } from '../citations';
import { known, notKnown, type Citation, type FactValue } from '../fact';
import { onsetTime, type PatientRecord } from '../patient-record';
import {
  activeCondition,
  activeConditionsIn,
  numberParameter,
  uniqueCitations,
  type FactContext,
  type FactDefinition,
} from './definition';

/** Conditions whose onset starts a low back pain episode. */
const BACK_PAIN_FAMILY = [
  'low-back-pain',
  'back-pain-site-unspecified',
  'chronic-low-back-pain',
  'radicular-pain',
  'lumbar-disc-herniation',
  'spinal-stenosis',
  'neurogenic-claudication',
];

/**
 * Structural or degenerative diagnoses that are often the only code a patient's back pain carries: spondylolisthesis
 * (a surgical-referral indication in its own right) and disc degeneration or spondylosis (ICD-10-CM FY2025
 * M51.360/M51.362 say "with discogenic back pain"). They stand for the episode only when no back pain code is
 * active: such codes stay on problem lists for years, and letting an old one date a new episode would make new pain
 * look chronic and hide the "new back pain" red flags.
 */
const STRUCTURAL_BACK_PAIN = ['spondylolisthesis', 'spondylolysis', 'degenerative-disc-disease', 'lumbar-spondylosis'];

const WEEK_MS = 7 * 86_400_000;

type Episode = ReturnType<typeof findEpisode>;

/** Several facts read the episode; it is worked out once per patient record. */
const episodes = new WeakMap<PatientRecord, Episode>();

function episode(record: PatientRecord): Episode {
  let found = episodes.get(record);
  if (found === undefined) {
    found = findEpisode(record);
    episodes.set(record, found);
  }
  return found;
}

function findEpisode(record: PatientRecord) {
  const painCodes = activeConditionsIn(record, BACK_PAIN_FAMILY);
  const matches = painCodes.length > 0 ? painCodes : activeConditionsIn(record, STRUCTURAL_BACK_PAIN);
  const dated = matches.filter((match) => onsetTime(match.resource) !== undefined);
  const start = dated.length > 0 ? Math.min(...dated.map((match) => onsetTime(match.resource) as number)) : undefined;
  return { matches, start, cites: uniqueCitations(matches.map(citeCondition)) };
}

function painWeeks(record: PatientRecord): number | undefined {
  const { start } = episode(record);
  return start === undefined
    ? undefined
    : Math.max(0, Math.round(((record.now.getTime() - start) / WEEK_MS) * 10) / 10);
}

function durationClass(record: PatientRecord, context: FactContext): string | undefined {
  if (record.activeConditions('chronic-low-back-pain').length > 0) return 'chronic';
  const weeks = painWeeks(record);
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
      const { matches, cites } = episode(record);
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
      'Back pain recorded (low back pain, sciatica, disc herniation or stenosis; else spondylolisthesis or disc degeneration)',
    type: 'boolean',
    absentText: 'none recorded',
    compute: (record) => {
      const { matches, cites } = episode(record);
      return known(matches.length > 0, cites);
    },
  },
  datedEpisodeFact({ id: 'episodeStart', label: 'Start of the current back pain episode', type: 'string' }, (record) =>
    isoDate(episode(record).start),
  ),
  datedEpisodeFact(
    { id: 'painWeeks', label: 'Weeks since the episode started', type: 'number', unit: 'weeks' },
    painWeeks,
  ),
  datedEpisodeFact(
    {
      id: 'durationClass',
      label:
        'Duration class (acute < {{param.acuteMaxWeeks}} weeks, subacute to {{param.chronicAfterWeeks}}, chronic beyond)',
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
  activeCondition('chronicCode', 'Coded as chronic low back pain', ['chronic-low-back-pain']),
  activeCondition('radicularPain', 'Radicular pain (sciatica or radiculopathy)', ['radicular-pain']),
  activeCondition('discHerniation', 'Lumbar disc herniation', ['lumbar-disc-herniation']),
  activeCondition('spinalStenosis', 'Lumbar spinal stenosis', ['spinal-stenosis']),
  activeCondition('neurogenicClaudication', 'Neurogenic claudication', ['neurogenic-claudication']),
  activeCondition(
    'spondylolisthesis',
    'Spondylolisthesis or spondylolysis (grade not coded, so treated as possibly grade 2 or more)',
    ['spondylolisthesis', 'spondylolysis'],
  ),
  activeCondition('degenerativeDisc', 'Degenerative disc disease or lumbar spondylosis', [
    'degenerative-disc-disease',
    'lumbar-spondylosis',
  ]),
];
