import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The C sources of the simulated library and tool, shipped beside `dist/`. */
export const NATIVE_SOURCE_DIR = fileURLToPath(new URL('../native/', import.meta.url));

const SOURCES = ['fake-nvml.h', 'fake-nvml.c', 'fake-nvidia-smi.c'];

/** Where the compiled `libnvidia-ml.so.1` and `nvidia-smi` are. */
export interface NativeBuild {
  readonly libraryPath: string;
  readonly nvidiaSmiPath: string;
}

let building: Promise<NativeBuild> | undefined;

/**
 * Compiles the simulated `libnvidia-ml.so.1` and `nvidia-smi` with gcc, once per source version:
 * the result is kept in the temporary directory under a hash of the sources, so tests that run in
 * parallel processes share one build. Rejects with gcc's own message when it is missing or fails.
 */
export function buildNative(): Promise<NativeBuild> {
  building ??= compile().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}

async function compile(): Promise<NativeBuild> {
  const hash = createHash('sha256');
  for (const source of SOURCES) hash.update(await readFile(join(NATIVE_SOURCE_DIR, source)));
  const target = join(tmpdir(), `tessera-sim-gpu-${hash.digest('hex').slice(0, 16)}`);
  const result = { libraryPath: join(target, 'libnvidia-ml.so.1'), nvidiaSmiPath: join(target, 'nvidia-smi') };
  if (existsSync(result.nvidiaSmiPath)) return result;
  // Build in a private directory, then rename it into place: a parallel build loses the race harmlessly.
  const scratch = await mkdtemp(join(tmpdir(), 'tessera-sim-gpu-build-'));
  try {
    await run('gcc', ['-O2', '-Wall', '-shared', '-fPIC', '-Wl,-soname,libnvidia-ml.so.1', '-o', join(scratch, 'libnvidia-ml.so.1'), join(NATIVE_SOURCE_DIR, 'fake-nvml.c'), '-lpthread']);
    await run('gcc', ['-O2', '-Wall', '-o', join(scratch, 'nvidia-smi'), join(NATIVE_SOURCE_DIR, 'fake-nvidia-smi.c'), `-L${scratch}`, '-l:libnvidia-ml.so.1', '-Wl,-rpath,$ORIGIN', '-lm']);
    await rename(scratch, target).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return result;
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => reject(new Error(`${command} could not run (${error.message}): install gcc and libc6-dev (tooling/scripts/setup.sh --test-peers does)`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${stderr}`))));
  });
}
