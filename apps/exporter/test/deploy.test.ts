import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { Probe } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { requireBinary, runCommand, TESSERA_BIN } from '@tessera/test-support';

// The deployment files in deploy/: every Kubernetes object validates against the Kubernetes API
// schemas (and the Prometheus Operator's CRDs) offline with kubernetes-models, the DaemonSet mounts
// what its tessera.yaml reads, both tessera.yaml files pass `tessera check-config`, and the systemd
// unit passes `systemd-analyze verify` (Debian systemd).

const deploy = fileURLToPath(new URL('../deploy/', import.meta.url));
const kubernetesDirectory = join(deploy, 'kubernetes');

interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly [key: string]: unknown;
}

/** The kubernetes-models class of each kind the manifests use; validate() throws on a schema error. */
const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/Deployment': Deployment,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1/Probe': Probe,
};

async function manifests(): Promise<{ file: string; object: KubernetesObject }[]> {
  const kustomization = parse(await readFile(join(kubernetesDirectory, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  const all = [];
  for (const file of kustomization.resources) {
    for (const document of parseAllDocuments(await readFile(join(kubernetesDirectory, file), 'utf8'))) all.push({ file, object: document.toJS() as KubernetesObject });
  }
  return all;
}

function validate(object: KubernetesObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (Model === undefined) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object as never).validate();
}

interface PodSpec {
  containers: { volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[]; securityContext: Record<string, unknown> }[];
  volumes: { name: string; hostPath?: { path: string }; configMap?: { name: string } }[];
  securityContext: { runAsNonRoot?: boolean };
}

async function podSpec(kind: string): Promise<PodSpec> {
  const found = (await manifests()).find((entry) => entry.object.kind === kind);
  return (found!.object as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
}

async function configOf(name: string): Promise<string> {
  const found = (await manifests()).find((entry) => entry.object.kind === 'ConfigMap' && entry.object.metadata.name === name);
  return (found!.object as unknown as { data: Record<string, string> }).data['tessera.yaml']!;
}

describe('Kubernetes manifests', () => {
  it('lists every manifest of the folder in the kustomization', async () => {
    const files = (await readdir(kubernetesDirectory)).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    const kustomization = parse(await readFile(join(kubernetesDirectory, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it('validates every object against the Kubernetes API and Prometheus Operator schemas', async () => {
    const all = await manifests();
    expect(all.map((entry) => entry.object.kind).sort()).toEqual(['ConfigMap', 'ConfigMap', 'DaemonSet', 'Deployment', 'PodMonitor', 'Probe', 'Probe', 'Service', 'Service', 'ServiceMonitor']);
    for (const { file, object } of all) expect(() => validate(object), `${file}: ${object.kind} ${object.metadata.name}`).not.toThrow();
  });

  it('refuses an object the API would refuse (the validation is real)', async () => {
    const daemonSet = (await manifests()).find((entry) => entry.object.kind === 'DaemonSet')!.object as unknown as { spec: { template: { spec: { containers: { ports: unknown[] }[] } } } };
    const broken = structuredClone(daemonSet);
    broken.spec.template.spec.containers[0]!.ports = [{ name: 'metrics', containerPort: 'eight thousand nine hundred' }];
    expect(() => validate(broken as unknown as KubernetesObject)).toThrow(/containerPort/);
  });

  it.each(['DaemonSet', 'Deployment'])('%s: non-root, read-only root filesystem, no capabilities, no privilege escalation', async (kind) => {
    const spec = await podSpec(kind);
    expect(spec.securityContext.runAsNonRoot).toBe(true);
    for (const container of spec.containers) {
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
  });

  it('DaemonSet: mounts, read-only, the host paths its tessera.yaml reads', async () => {
    const spec = await podSpec('DaemonSet');
    const config = parse(await configOf('tessera-node')) as { paths: Record<string, string>; collectors: { dcgm: { kubernetes: { podResourcesSocket: string } } } };
    const mounts = spec.containers[0]!.volumeMounts;
    const hostPathOf = (mountPath: string): string | undefined => {
      const mount = mounts.find((candidate) => candidate.mountPath === mountPath);
      expect(mount?.readOnly, `${mountPath} is mounted read-only`).toBe(true);
      return spec.volumes.find((volume) => volume.name === mount?.name)?.hostPath?.path;
    };
    expect(hostPathOf(config.paths.procfs!)).toBe('/proc');
    expect(hostPathOf(config.paths.sysfs!)).toBe('/sys');
    expect(hostPathOf(config.paths.rootfs!)).toBe('/');
    const socket = config.collectors.dcgm.kubernetes.podResourcesSocket;
    const socketDirectory = socket.slice(0, socket.lastIndexOf('/'));
    expect(hostPathOf(socketDirectory)).toBe(socketDirectory);
    const configVolume = spec.volumes.find((volume) => volume.name === mounts.find((mount) => mount.mountPath === '/etc/tessera')?.name);
    expect(configVolume?.configMap?.name).toBe('tessera-node');
  });

  it('Probes reach the Deployment through /probe, name their collector, and label arrays with array', async () => {
    const probes = (await manifests()).filter((entry) => entry.object.kind === 'Probe').map((entry) => entry.object as unknown as { spec: { prober: { url: string; path: string }; targets: { staticConfig: { static: string[]; relabelingConfigs: { targetLabel: string; replacement?: string; sourceLabels?: string[] }[] } } } });
    const config = parse(await configOf('tessera-targets')) as { collectors: Record<string, { instance: string }[]> };
    for (const probe of probes) {
      expect(probe.spec.prober).toEqual({ url: 'tessera-targets.monitoring.svc:8900', path: '/probe' });
      const collector = probe.spec.targets.staticConfig.relabelingConfigs.find((relabel) => relabel.targetLabel === '__param_collector')?.replacement;
      expect(Object.keys(config.collectors)).toContain(collector);
      // Targets are instance names of the config, never addresses.
      expect(probe.spec.targets.staticConfig.static.every((target) => config.collectors[collector!]!.some((entry) => entry.instance === target))).toBe(true);
      if (collector === 'flashblade') expect(probe.spec.targets.staticConfig.relabelingConfigs).toContainEqual({ sourceLabels: ['__param_target'], targetLabel: 'array' });
    }
  });

  it.each(['tessera-node', 'tessera-targets'])('the tessera.yaml of ConfigMap %s passes tessera check-config', async (name) => {
    const directory = await mkdtemp(join(tmpdir(), 'tessera-deploy-'));
    try {
      await writeFile(join(directory, 'tessera.yaml'), await configOf(name));
      const result = await runCommand(process.execPath, [TESSERA_BIN, 'check-config', `--config=${join(directory, 'tessera.yaml')}`]);
      expect(result.code, result.stderr).toBe(0);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('systemd unit', () => {
  // systemd-analyze checks that ExecStart is executable; the unit runs /opt/tessera/bin/tessera of a
  // release, which the test machine does not have, so the copy verified points at this checkout's bin.
  async function verify(unitText: string): Promise<{ code: number | null; output: string }> {
    const directory = await mkdtemp(join(tmpdir(), 'tessera-unit-'));
    try {
      await writeFile(join(directory, 'tessera.service'), unitText.replace('/opt/tessera/bin/tessera', fileURLToPath(new URL('../bin/tessera.js', import.meta.url))));
      const result = await runCommand(requireBinary('systemd-analyze'), ['verify', '--man=no', join(directory, 'tessera.service')]);
      return { code: result.code, output: (result.stdout + result.stderr).trim() };
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  it('passes systemd-analyze verify without a warning, and is sandboxed', async () => {
    const unit = await readFile(join(deploy, 'systemd/tessera.service'), 'utf8');
    expect(await verify(unit)).toEqual({ code: 0, output: '' });
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'DynamicUser=yes', 'CapabilityBoundingSet=', 'PrivateTmp=yes']) expect(unit).toContain(`\n${line}\n`);
  });

  it('is checked for real: a misspelt key is reported', async () => {
    const unit = await readFile(join(deploy, 'systemd/tessera.service'), 'utf8');
    expect((await verify(unit.replace('ProtectSystem=', 'ProtectSystm='))).output).toContain("Unknown key 'ProtectSystm'");
  });
});

describe('Dockerfile', () => {
  it('builds the image from the release bundle in a separate stage and runs as a non-root user', async () => {
    const dockerfile = await readFile(join(deploy, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/pnpm package/);
    expect(dockerfile).toMatch(/^COPY --from=release \/release \/opt\/tessera$/m);
    const user = /^USER (\S+)$/m.exec(dockerfile)?.[1];
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(0|root)$/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/opt\/tessera\/bin\/tessera"\]$/m);
    // The config it ships with exists.
    await copyFile(fileURLToPath(new URL('../../../tooling/release/tessera.yaml', import.meta.url)), join(tmpdir(), 'tessera-dockerfile-check.yaml'));
  });
});
