// `pnpm package`: the self-contained release, for a machine that has Node.js and nothing else (no
// pnpm, no workspace, no registry). Writes dist/release/tessera-<version>-<platform>-<arch>/ and the
// same folder as a .tar.gz (plus its .sha256), then prints the size and the start-up time.
//
// How: `pnpm deploy` of the private @tessera/release package (tooling/release), whose dependencies
// are the host, every first-party collector and @tessera/push. deploy installs exactly the versions
// of pnpm-lock.yaml from the local store (no registry access once `pnpm install` has run), copies
// first-party packages as `pnpm pack` would (their `files` only), and with `node-linker=hoisted` lays
// them out as one flat, symlink-free node_modules that any tar and any Node.js can use. Collectors
// stay packages in that node_modules, so the host finds them by name the way it does anywhere else.
// Optional dependencies are installed for this platform only (koffi's prebuilt binary comes that
// way), hence the platform and architecture in the name; packages that carry their binaries inside
// their own tarball (zeromq) come whole. Their install scripts never run (pnpm-workspace.yaml
// `ignoredBuiltDependencies`): the release checks instead that each of them loads.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RELEASE_PACKAGE = 'tooling/release';
const HOST = '@tessera/exporter';
const PUSH = '@tessera/push';

/** Fails the run with one message (and the output of the step that failed, when there is one). */
class ReleaseError extends Error {}

const readJson = async (file) => JSON.parse(await readFile(file, 'utf8'));

/** Runs a command to completion, capturing its output; throws with that output when it fails. */
function runStep(description, command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error !== undefined || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new ReleaseError(`${description} failed${result.error ? `: ${result.error.message}` : ` (exit ${result.status})`}${output ? `:\n${output}` : ''}`);
  }
  return result.stdout;
}

function parseArguments(argv) {
  let outDirectory = join(root, 'dist/release');
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--out-dir' && argv[index + 1] !== undefined) outDirectory = resolve(argv[++index]);
    else if (argument.startsWith('--out-dir=')) outDirectory = resolve(argument.slice('--out-dir='.length));
    else throw new ReleaseError(`unknown argument ${argument}; usage: pnpm package [--out-dir DIR] (default dist/release)`);
  }
  return { outDirectory };
}

/**
 * The first-party packages the release must carry: the host, @tessera/push, and every collector
 * package in packages/ (the `tessera-collector` keyword). A collector added to the repository but
 * not to tooling/release/package.json would silently be left out, so that is an error.
 */
async function checkReleaseManifest() {
  const manifest = await readJson(join(root, RELEASE_PACKAGE, 'package.json'));
  const shipped = new Set(Object.keys(manifest.dependencies ?? {}));
  const expected = [HOST, PUSH];
  for (const directory of (await readdir(join(root, 'packages'))).sort()) {
    const file = join(root, 'packages', directory, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = await readJson(file);
    if (!pkg.private && (pkg.keywords ?? []).includes('tessera-collector')) expected.push(pkg.name);
  }
  const missing = expected.filter((name) => !shipped.has(name));
  if (missing.length > 0) {
    const add = missing.map((name) => `${name}@workspace:*`).join(' ');
    throw new ReleaseError(
      `${RELEASE_PACKAGE}/package.json does not list ${missing.join(', ')}; the release would leave ${missing.length === 1 ? 'it' : 'them'} out. ` +
        `Add with: pnpm --filter @tessera/release add ${add}`,
    );
  }
  return expected;
}

/** `${platform}-${arch}`, as the optional platform packages (koffi's) were chosen for. */
const platformName = () => `${process.platform}-${process.arch}`;

/** The minimum Node.js version from an `engines.node` of the form `>=X.Y`. */
function minimumNode(engines) {
  const match = /^>=\s*(\d+)\.(\d+)/.exec(engines ?? '');
  if (match === null) throw new ReleaseError(`${HOST} engines.node is "${engines}"; expected ">=X.Y"`);
  return { major: Number(match[1]), minor: Number(match[2]) };
}

// Written as CommonJS (the release's package.json says so) so that an extensionless file runs on
// every Node.js; it checks the version before the ESM program could fail in an obscure way.
function launcher(binName, packageName, binPath, minimum) {
  return `#!/usr/bin/env node
// ${binName} from this release: runs node_modules/${packageName}/${binPath} with the Node.js on PATH.
'use strict';
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < ${minimum.major} || (major === ${minimum.major} && minor < ${minimum.minor})) {
  process.stderr.write('${binName} needs Node.js >= ${minimum.major}.${minimum.minor}; this is ' + process.version + '\\n');
  process.exit(1);
}
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
import(pathToFileURL(join(__dirname, '..', 'node_modules', ${JSON.stringify(packageName)}, ${JSON.stringify(binPath)})).href);
`;
}

// What `pnpm pack` does to a manifest: workspace: ranges become the versions they point at, and the
// fields only the workspace uses go, so nothing in the release refers to the checkout it came from.
function publishedManifest(manifest, manifests) {
  const published = { ...manifest };
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    if (published[field] === undefined) continue;
    published[field] = Object.fromEntries(
      Object.entries(published[field]).map(([name, range]) => {
        if (!range.startsWith('workspace:')) return [name, range];
        const rest = range.slice('workspace:'.length);
        const version = manifests.get(name)?.version;
        return [name, rest === '*' ? version : rest === '^' || rest === '~' ? `${rest}${version}` : rest];
      }),
    );
  }
  delete published.devDependencies;
  delete published.scripts;
  return published;
}

/**
 * deploy hard-links the files of workspace packages to the checkout's own (`dist/`, package.json):
 * writing to one, or the next build in the checkout, would change the other. Every file with more
 * than one link is replaced by a copy of its own.
 */
async function detachHardLinks(directory) {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await detachHardLinks(path);
    else if (entry.isFile() && (await lstat(path)).nlink > 1) {
      await copyFile(path, `${path}.detached`);
      await rename(`${path}.detached`, path);
    }
  }
}

/**
 * Removes the `node_modules/.bin` folders of packages with dependencies of their own (zeromq's
 * `node_modules/.bin/cmake-ts`): links for running install scripts, which the release never runs,
 * and symlinks, which it must not hold.
 */
async function removeNestedBinDirectories(directory) {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(directory, entry.name);
    if (entry.name === '.bin' && directory.endsWith('node_modules')) await rm(path, { recursive: true, force: true });
    else await removeNestedBinDirectories(path);
  }
}

async function assemble(releaseDirectory, firstParty) {
  const modules = join(releaseDirectory, 'node_modules');
  await rm(releaseDirectory, { recursive: true, force: true });
  await mkdir(dirname(releaseDirectory), { recursive: true });
  runStep('pnpm deploy', 'pnpm', [
    '--filter=@tessera/release',
    'deploy',
    '--prod',
    // deploy reads the workspace lockfile only for injected workspace packages; turning injection on
    // for this one command leaves the workspace itself linked as before.
    '--config.inject-workspace-packages=true',
    '--config.node-linker=hoisted',
    // Copies, not hard links into the store: the release folder may be edited or moved.
    '--config.package-import-method=copy',
    releaseDirectory,
  ]);
  await detachHardLinks(releaseDirectory);
  // pnpm's own bookkeeping (the lockfile, node_modules/.pnpm*, .modules.yaml: paths and times of
  // this build), and node_modules/.bin, whose symlinks bin/ replaces.
  await rm(join(releaseDirectory, 'pnpm-lock.yaml'), { force: true });
  for (const entry of await readdir(modules)) {
    if (entry.startsWith('.')) await rm(join(modules, entry), { recursive: true, force: true });
  }
  await removeNestedBinDirectories(modules);

  const manifests = new Map();
  for (const directory of await readdir(join(modules, '@tessera'))) {
    const manifest = await readJson(join(modules, '@tessera', directory, 'package.json'));
    manifests.set(manifest.name, manifest);
  }
  const absent = firstParty.filter((name) => !manifests.has(name));
  if (absent.length > 0) throw new ReleaseError(`pnpm deploy left ${absent.join(', ')} out of ${modules}`);
  for (const [name, manifest] of manifests) {
    await writeFile(join(modules, name, 'package.json'), `${JSON.stringify(publishedManifest(manifest, manifests), null, 2)}\n`);
  }

  const host = manifests.get(HOST);
  const minimum = minimumNode(host.engines?.node);
  const bins = {};
  await mkdir(join(releaseDirectory, 'bin'), { recursive: true });
  for (const name of firstParty) {
    for (const [binName, binPath] of Object.entries(manifests.get(name).bin ?? {})) {
      const file = join(releaseDirectory, 'bin', binName);
      await writeFile(file, launcher(binName, name, binPath.replace(/^\.\//, ''), minimum));
      await chmod(file, 0o755);
      bins[binName] = `bin/${binName}`;
    }
  }
  const template = await readJson(join(releaseDirectory, 'package.json'));
  const release = {
    name: 'tessera',
    version: host.version,
    private: true,
    description: template.description,
    license: template.license,
    type: 'commonjs',
    engines: { node: host.engines.node },
    bin: bins,
    // What the release carries. It also keeps an `npm install` run in the release folder by mistake
    // from pruning node_modules: npm fails to find these on the registry instead.
    dependencies: Object.fromEntries(firstParty.map((name) => [name, manifests.get(name).version])),
  };
  await writeFile(join(releaseDirectory, 'package.json'), `${JSON.stringify(release, null, 2)}\n`);
  await copyFile(join(root, 'LICENSE'), join(releaseDirectory, 'LICENSE'));
  return { bins: Object.keys(bins), manifests };
}

/** Every package in node_modules (scoped ones included), top level and nested. */
async function installedPackages(modules) {
  const found = [];
  for (const entry of await readdir(modules, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const directories = entry.name.startsWith('@')
      ? (await readdir(join(modules, entry.name))).map((name) => join(modules, entry.name, name))
      : [join(modules, entry.name)];
    for (const directory of directories) {
      const manifest = await readJson(join(directory, 'package.json')).catch(() => undefined);
      if (manifest === undefined) continue;
      found.push({ directory, manifest });
      found.push(...(await installedPackages(join(directory, 'node_modules'))));
    }
  }
  return found;
}

/**
 * An environment whose PATH holds this Node.js and nothing else (a directory with one symlink), the
 * way a machine with only Node.js would look: the release must not need anything else.
 */
async function nodeOnlyEnvironment() {
  const directory = await mkdtemp(join(tmpdir(), 'tessera-node-only-'));
  await symlink(process.execPath, join(directory, 'node'));
  return {
    env: { PATH: directory, HOME: directory, LANG: 'C.UTF-8' },
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}

/**
 * The packages whose install script was skipped (native addons shipping prebuilt binaries) must
 * load from the files the release carries, or the release is broken on this platform.
 */
async function checkNativePackages(releaseDirectory, env) {
  const packages = await installedPackages(join(releaseDirectory, 'node_modules'));
  const native = packages.filter(({ manifest }) => ['preinstall', 'install', 'postinstall'].some((script) => manifest.scripts?.[script] !== undefined));
  for (const { directory, manifest } of native) {
    // Resolved from the folder that holds the node_modules it sits in, so a nested copy loads itself.
    runStep(`loading the native package ${manifest.name} (${relative(releaseDirectory, directory)})`, process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(manifest.name)})`], {
      cwd: directory.slice(0, directory.lastIndexOf('/node_modules/')),
      env,
    });
  }
  return native.map(({ manifest }) => `${manifest.name}@${manifest.version}`);
}

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts bin/tessera with the sample config and measures the time until /-/ready answers 200. */
async function measureStartUp(releaseDirectory, env) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(join(releaseDirectory, 'bin/tessera'), ['--config=tessera.yaml', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    cwd: releaseDirectory,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  try {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await delay(10)) {
      if (child.exitCode !== null) throw new ReleaseError(`bin/tessera exited with code ${child.exitCode} at start-up:\n${stderr}`);
      const response = await fetch(`http://127.0.0.1:${port}/-/ready`).catch(() => undefined);
      await response?.arrayBuffer();
      if (response?.status === 200) return performance.now() - started;
    }
    throw new ReleaseError(`bin/tessera was not ready within 30 s:\n${stderr}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Sum of the sizes of the regular files under a directory, and their count. */
async function folderSize(directory) {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      const inner = await folderSize(path);
      bytes += inner.bytes;
      files += inner.files;
    } else {
      bytes += (await lstat(path)).size;
      files += 1;
    }
  }
  return { bytes, files };
}

/**
 * tar.gz of the release folder, the same bytes for the same inputs: sorted names, root-owned, every
 * mtime the commit's time, and a gzip header without a timestamp.
 */
async function writeTarball(outDirectory, name) {
  const commitTime = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' }).stdout?.trim();
  const mtime = /^\d+$/.test(commitTime ?? '') ? commitTime : String(Math.floor(Date.now() / 1000));
  const tarball = join(outDirectory, `${name}.tar.gz`);
  const tar = spawn('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${mtime}`, '-cf', '-', name], {
    cwd: outDirectory,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  tar.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolveExit) => tar.once('close', resolveExit));
  await pipeline(tar.stdout, createGzip({ level: 9 }), createWriteStream(tarball));
  const code = await exited;
  if (code !== 0) throw new ReleaseError(`tar failed (exit ${code}): ${stderr}`);
  const hash = createHash('sha256');
  await pipeline(createReadStream(tarball), hash);
  await writeFile(`${tarball}.sha256`, `${hash.digest('hex')}  ${name}.tar.gz\n`);
  return tarball;
}

const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
// Relative to where the command was typed when that is shorter, else absolute.
const shown = (path) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));

async function main() {
  const { outDirectory } = parseArguments(process.argv.slice(2));
  const began = performance.now();
  const firstParty = await checkReleaseManifest();
  runStep('building the release packages', join(root, 'node_modules/.bin/turbo'), ['run', 'build', '--filter=@tessera/release...', '--output-logs=errors-only'], {
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  const hostVersion = (await readJson(join(root, 'apps/exporter/package.json'))).version;
  const name = `tessera-${hostVersion}-${platformName()}`;
  const releaseDirectory = join(outDirectory, name);
  const { bins, manifests } = await assemble(releaseDirectory, firstParty);
  const nodeOnly = await nodeOnlyEnvironment();
  let native;
  let startUp;
  try {
    native = await checkNativePackages(releaseDirectory, nodeOnly.env);
    startUp = await measureStartUp(releaseDirectory, nodeOnly.env);
  } finally {
    await nodeOnly.remove();
  }
  const tarball = await writeTarball(outDirectory, name);
  const unpacked = await folderSize(releaseDirectory);
  const packed = (await lstat(tarball)).size;

  console.log(`release ${name}`);
  console.log(`  folder   ${shown(releaseDirectory)} (${unpacked.files} files, ${megabytes(unpacked.bytes)})`);
  console.log(`  tarball  ${shown(tarball)} (${megabytes(packed)})`);
  console.log(`  packages ${firstParty.map((packageName) => `${packageName}@${manifests.get(packageName).version}`).join(', ')}`);
  console.log(`  bins     ${bins.map((bin) => `bin/${bin}`).join(', ')}`);
  console.log(`  native   ${native.length > 0 ? `${native.join(', ')} (each loads)` : 'none'}`);
  console.log(`  start-up bin/tessera ready in ${Math.round(startUp)} ms (sample tessera.yaml, node collector)`);
  console.log(`  built in ${((performance.now() - began) / 1000).toFixed(1)} s`);
}

try {
  await main();
} catch (error) {
  if (!(error instanceof ReleaseError)) throw error;
  process.stderr.write(`pnpm package: ${error.message}\n`);
  process.exit(1);
}
