import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { loadConfig } from '../../src/config';
import { readTrustFile } from '../../src/http/auth/trust-file';
import { loadRuleSet } from '../../src/rules/load-rule-set';
import { knownProfiles, profileFiles } from '../../src/rules/profiles';
import { PROJECT_ROOT } from '../support/spine-service';

/**
 * deploy/kubernetes cannot be applied here (no cluster), so it is checked by structure: every manifest parses, the
 * objects refer to each other by the right names and labels, the probes and mounts match what the service reads,
 * the rules ConfigMap laid out as a pod sees it loads as the repository's rule set, and the
 * Deployment's environment and trust file pass the service's own production checks.
 */

const DIR = path.join(PROJECT_ROOT, 'deploy', 'kubernetes');

type Json = Record<string, any>;

const kustomization = yaml.load(fs.readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8')) as Json;
const objects: Json[] = (kustomization.resources as string[]).flatMap((file) =>
  yaml.loadAll(fs.readFileSync(path.join(DIR, file), 'utf8')).map((document) => document as Json),
);
const only = (kind: string): Json => {
  const found = objects.filter((object) => object.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};
const deployment = only('Deployment');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
// Values from Secrets are not in the repository: a placeholder of the same shape stands in for them.
const SECRET_STAND_INS: Record<string, string> = { SPINE_CDS_DATABASE_URL: 'postgres://spine@db.example/spine' };
const env = Object.fromEntries(
  (container.env as Json[]).map((entry) => [
    entry.name,
    entry.valueFrom ? SECRET_STAND_INS[entry.name as string] : String(entry.value),
  ]),
);

/** configMapGenerator entries as ConfigMap name → key → file (relative to DIR). */
const generated = new Map<string, Map<string, string>>(
  (kustomization.configMapGenerator as Json[]).map((generator) => [
    generator.name,
    new Map(
      (generator.files as string[]).map((entry) => {
        const [key, file] = entry.includes('=') ? entry.split('=') : [path.basename(entry), entry];
        return [key, file];
      }),
    ),
  ]),
);

/** Where each file of a ConfigMap volume appears inside the container. */
function mountedFiles(volumeName: string): Map<string, string> {
  const volume = (pod.volumes as Json[]).find((candidate) => candidate.name === volumeName);
  const mount = (container.volumeMounts as Json[]).find((candidate) => candidate.name === volumeName);
  expect(volume?.configMap).toBeDefined();
  expect(mount).toBeDefined();
  const files = generated.get(volume?.configMap.name) as Map<string, string>;
  expect(files).toBeDefined();
  const items: Json[] = volume?.configMap.items ?? [...files.keys()].map((key) => ({ key, path: key }));
  return new Map(
    items.map((item) => {
      expect(files.has(item.key)).toBe(true);
      return [path.posix.join(mount?.mountPath, item.path), path.resolve(DIR, files.get(item.key) as string)];
    }),
  );
}

test('every manifest is a named Kubernetes object and every listed file exists', () => {
  expect(kustomization.kind).toBe('Kustomization');
  expect(objects.map((object) => object.kind).sort()).toEqual([
    'Deployment',
    'HorizontalPodAutoscaler',
    'Ingress',
    'PodDisruptionBudget',
    'Service',
  ]);
  for (const object of objects) {
    expect(typeof object.apiVersion).toBe('string');
    expect(typeof object.metadata?.name).toBe('string');
  }
  for (const files of generated.values())
    for (const file of files.values()) expect(fs.existsSync(path.resolve(DIR, file))).toBe(true);
});

test('the Service, the autoscaler and the disruption budget find the Deployment and its pods', () => {
  const labels = deployment.spec.template.metadata.labels;
  expect(deployment.spec.selector.matchLabels).toEqual(labels);
  const service = only('Service');
  expect(labels).toMatchObject(service.spec.selector);
  expect((container.ports as Json[]).map((port) => port.name)).toContain(service.spec.ports[0].targetPort);
  const hpa = only('HorizontalPodAutoscaler');
  expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
  expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  expect(labels).toMatchObject(only('PodDisruptionBudget').spec.selector.matchLabels);
});

test('the container listens where the probes look, with requests and limits', () => {
  expect(container.ports[0].containerPort).toBe(Number(env.PORT));
  expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
  expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
  for (const kind of ['requests', 'limits'])
    expect(Object.keys(container.resources[kind]).sort()).toEqual(['cpu', 'memory']);
  expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(env.SPINE_CDS_SHUTDOWN_GRACE_MS));
});

test('the rules ConfigMap, mounted where SPINE_CDS_RULES_DIR points, loads as the rule set of the repository', () => {
  const files = mountedFiles('rules');
  const rulesDir = path.join(PROJECT_ROOT, 'rules');
  // Lay the mounted files out as the kubelet would, and load them as a pod does.
  const mounted = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-k8s-rules-'));
  try {
    for (const [target, source] of files) {
      const relative = path.posix.relative(env.SPINE_CDS_RULES_DIR, target);
      expect(relative.startsWith('..')).toBe(false);
      fs.mkdirSync(path.dirname(path.join(mounted, relative)), { recursive: true });
      fs.copyFileSync(source, path.join(mounted, relative));
    }
    const valueSets = path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets');
    expect(knownProfiles(mounted)).toEqual(knownProfiles(rulesDir));
    for (const profile of knownProfiles(rulesDir)) {
      const [pod, repository] = [loadRuleSet(mounted, valueSets, profile), loadRuleSet(rulesDir, valueSets, profile)];
      expect({ packs: pod.packs, parameters: pod.parameters, overrideReasons: pod.overrideReasons }).toEqual({
        packs: repository.packs,
        parameters: repository.parameters,
        overrideReasons: repository.overrideReasons,
      });
    }
  } finally {
    fs.rmSync(mounted, { recursive: true, force: true });
  }
  // A pack missing from the ConfigMap would load without error, and without its rules.
  for (const profile of knownProfiles(rulesDir)) {
    const { packFiles, parameterFiles } = profileFiles(rulesDir, profile);
    for (const file of [...packFiles, ...parameterFiles])
      expect(files.get(path.posix.join(env.SPINE_CDS_RULES_DIR, path.relative(rulesDir, file)))).toBe(file);
  }
});

test("the environment and the trust file pass the service's production checks", () => {
  const trustFile = mountedFiles('trust').get(env.SPINE_CDS_TRUST_FILE) as string;
  expect(trustFile).toBeDefined();
  expect(readTrustFile(trustFile, 'production').problems).toEqual([]);
  // The mounted folders, read from the repository instead.
  const config = loadConfig({
    ...env,
    SPINE_CDS_RULES_DIR: path.join(PROJECT_ROOT, 'rules'),
    SPINE_CDS_TRUST_FILE: trustFile,
  });
  expect(config).toMatchObject({ mode: 'production', port: 8080, auth: { required: true } });
  expect(() => loadRuleSet(config.rulesDir, config.valueSetsDir)).not.toThrow();
});

test('the database URL comes from a Secret, and the Ingress serves the public URL the tokens name', () => {
  const database = (container.env as Json[]).find((entry) => entry.name === 'SPINE_CDS_DATABASE_URL');
  expect(database?.valueFrom?.secretKeyRef).toEqual({ name: 'spine-cds-database', key: 'url' });
  const ingress = objects.find((object) => object.kind === 'Ingress') as Json;
  expect(`https://${ingress.spec.rules[0].host}`).toBe(env.SPINE_CDS_PUBLIC_BASE_URL);
  expect(ingress.spec.tls[0].hosts).toContain(ingress.spec.rules[0].host);
  expect(env.SPINE_CDS_CORS_ORIGINS).toMatch(/^https:\/\//);
});
