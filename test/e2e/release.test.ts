import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { repositoryCollectorPackages, runCommand, startPeer, startPushgateway, type RunningPeer } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('../..', import.meta.url));

/** Every symlink under a directory (the release must have none: any tar and any copy keep it whole). */
async function symlinksUnder(directory: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isSymbolicLink()) found.push(path);
    else if (entry.isDirectory()) found.push(...(await symlinksUnder(path)));
  }
  return found;
}

// The release is built by `pnpm package`, unpacked in a temporary directory outside the workspace
// (no node_modules above it) and run with a PATH that holds nothing but `node`: no pnpm, no npm, no
// workspace packages, as on a machine that has only Node.js.
describe('the self-contained release', () => {
  let buildDirectory: string;
  let tarball: string;
  let machine: string;
  let release: string;
  let nodeOnly: NodeJS.ProcessEnv;
  const peers: RunningPeer[] = [];

  beforeAll(async () => {
    buildDirectory = await mkdtemp(join(tmpdir(), 'tessera-release-build-'));
    const packaged = await run(process.execPath, [join(repository, 'tooling/scripts/package-release.mjs'), `--out-dir=${buildDirectory}`], {
      cwd: repository,
      timeout: 120_000,
    });
    console.log(packaged.stdout);
    const written = (await readdir(buildDirectory)).find((file) => file.endsWith('.tar.gz'));
    if (written === undefined) throw new Error(`pnpm package wrote no .tar.gz to ${buildDirectory}`);
    tarball = written;
    const checksum = await readFile(join(buildDirectory, `${tarball}.sha256`), 'utf8');
    const digest = createHash('sha256').update(await readFile(join(buildDirectory, tarball))).digest('hex');
    expect(checksum).toBe(`${digest}  ${tarball}\n`);

    machine = await mkdtemp(join(tmpdir(), 'tessera-release-machine-'));
    await run('tar', ['-xzf', join(buildDirectory, tarball), '-C', machine]);
    release = join(machine, tarball.slice(0, -'.tar.gz'.length));
    const pathDirectory = join(machine, 'path');
    await mkdir(pathDirectory);
    await symlink(process.execPath, join(pathDirectory, 'node'));
    nodeOnly = { PATH: pathDirectory, HOME: machine, LANG: 'C.UTF-8' };
  });

  afterAll(async () => {
    await Promise.all(peers.map((peer) => peer.stop()));
    if (machine) await rm(machine, { recursive: true, force: true });
    if (buildDirectory) await rm(buildDirectory, { recursive: true, force: true });
  });

  it('is unpacked where no workspace node_modules can be reached', () => {
    expect(release.startsWith(repository)).toBe(false);
    for (let directory = dirname(release); directory !== dirname(directory); directory = dirname(directory)) {
      expect(existsSync(join(directory, 'node_modules')), `${directory}/node_modules`).toBe(false);
    }
  });

  it('holds the launchers, a sample config, the README and the license, and no symlinks', async () => {
    for (const file of ['bin/tessera', 'bin/tessera-push', 'tessera.yaml', 'README.md', 'LICENSE', 'package.json']) {
      expect(existsSync(join(release, file)), file).toBe(true);
    }
    expect((await lstat(join(release, 'bin/tessera'))).mode & 0o111).not.toBe(0);
    expect(await readFile(join(release, 'LICENSE'), 'utf8')).toContain('Apache License');
    expect(await symlinksUnder(release)).toEqual([]);
  });

  it('carries every collector package of the repository, and the manifests name no workspace', async () => {
    const listed = await runCommand(join(release, 'bin/tessera'), ['list', '--config', join(release, 'tessera.yaml')], { env: nodeOnly });
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const collectors = repositoryCollectorPackages();
    expect(collectors.length).toBeGreaterThan(0);
    for (const name of collectors) {
      const row = listed.stdout.split('\n').find((line) => line.split(/\s+/)[1] === name);
      expect(row, `${name} in:\n${listed.stdout}`).toMatch(/\s0\.\d+\.\d+\s+yes\s/);
    }
    for (const name of ['exporter', 'push', 'collector-api', 'exposition', ...collectors.map((collector) => collector.slice('@tessera/'.length))]) {
      const manifest = await readFile(join(release, 'node_modules/@tessera', name, 'package.json'), 'utf8');
      expect(manifest, name).not.toMatch(/workspace:|file:/);
    }
  });

  it('serves /metrics with the node collector and the build info, started with only node on PATH', async () => {
    const tessera = await startPeer({
      command: join(release, 'bin/tessera'),
      args: (port) => ['--config', join(release, 'tessera.yaml'), `--web.listen-address=127.0.0.1:${port}`],
      env: nodeOnly,
      readyPath: '/-/ready',
    });
    peers.push(tessera);
    const response = await fetch(`${tessera.url}/metrics`);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    const version = (JSON.parse(await readFile(join(release, 'package.json'), 'utf8')) as { version: string }).version;
    expect(text).toMatch(/^node_load1 \d/m);
    expect(text).toMatch(/^node_cpu_seconds_total\{cpu="0",mode="idle"\} \d/m);
    expect(text).toContain(`tessera_build_info{version="${version}",nodejs_version="${process.versions.node}"} 1\n`);
    expect(text).toContain('tessera_scrape_collector_success{collector="node",collector_instance="default"} 1\n');
    expect(text).toContain(`tessera_collector_info{collector="node",package="@tessera/collector-node",version="`);
  });

  it('runs tessera check-config: the sample passes, a mistake is one line and exit 2', async () => {
    const sample = await runCommand(join(release, 'bin/tessera'), ['check-config', '--config', 'tessera.yaml'], { cwd: release, env: nodeOnly });
    expect(sample).toEqual({ code: 0, stdout: 'ok: 1 collector (node)\n', stderr: '' });
    await writeFile(join(machine, 'broken.yaml'), 'collectors:\n  node:\n    collectors: [cpu, nosuch]\n');
    const broken = await runCommand(join(release, 'bin/tessera'), ['check-config', '--config', join(machine, 'broken.yaml')], { env: nodeOnly });
    expect(broken.code).toBe(2);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);
    expect(broken.stderr).toContain('collectors.node.collectors');
  });

  it('runs tessera-push: --help, and a metric file pushed to the Debian Pushgateway', async () => {
    const help = await runCommand(join(release, 'bin/tessera-push'), ['--help'], { env: nodeOnly });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tessera-push /);

    const pushgateway = await startPushgateway();
    peers.push(pushgateway);
    const file = join(machine, 'metrics.json');
    const metrics = [{ name: 'release_check_images_total', type: 'counter', help: 'Images processed by the release check.', value: 42 }];
    await writeFile(file, JSON.stringify({ job: 'release_check', groupingKey: { site: 'a/b' }, metrics }));
    const pushed = await runCommand(join(release, 'bin/tessera-push'), ['--gateway', pushgateway.url, file], { env: nodeOnly });
    expect(pushed.code).toBe(0);
    expect(pushed.stderr).toMatch(/^tessera-push: PUT http:\/\/127\.0\.0\.1:\d+\/metrics\/job\/release_check\/site@base64\/YS9i answered 200\n$/);
    const gateway = await (await fetch(`${pushgateway.url}/metrics`)).text();
    expect(gateway).toMatch(/^release_check_images_total\{instance="",job="release_check",site="a\/b"\} 42$/m);
  });

  it('is the same tarball, byte for byte, when built again from the same commit', async () => {
    const again = join(buildDirectory, 'again');
    await run(process.execPath, [join(repository, 'tooling/scripts/package-release.mjs'), `--out-dir=${again}`], { cwd: repository, timeout: 120_000 });
    expect(await readFile(join(again, `${tarball}.sha256`), 'utf8')).toBe(await readFile(join(buildDirectory, `${tarball}.sha256`), 'utf8'));
  });

  it("loads koffi's prebuilt binary for this platform from the release", async () => {
    const script = "const { default: koffi } = await import('koffi'); koffi.load('libc.so.6'); console.log(koffi.version);";
    const loaded = await runCommand(process.execPath, ['--input-type=module', '-e', script], { cwd: release, env: nodeOnly });
    expect(loaded.stderr).toBe('');
    expect(loaded.code).toBe(0);
    expect(loaded.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('finds a third-party collector installed next to the config file, as its README says', async () => {
    const etc = join(machine, 'etc-tessera');
    await mkdir(etc);
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', etc], { cwd: join(repository, 'test/fixtures/tessera-collector-example') });
    const api = join(release, 'node_modules/@tessera/collector-api');
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', api, join(etc, packed.stdout.trim())], { cwd: etc, timeout: 120_000 });
    await writeFile(join(etc, 'tessera.yaml'), 'collectors:\n  example: { greeting: hej }\n');
    const collected = await runCommand(join(release, 'bin/tessera'), ['collect', '--config', join(etc, 'tessera.yaml'), '--no-collector.node'], { env: nodeOnly });
    expect(collected.code).toBe(0);
    expect(collected.stdout).toContain('example_greetings_total{greeting="hej"} 1\n');
    expect(collected.stdout).toContain('tessera_collector_info{collector="example",package="tessera-collector-example",version="1.2.3"} 1\n');
  });
});
