import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli/index.ts', import.meta.url));

/** A child process with what it printed. */
export interface Child {
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves to the exit code (or the signal's name) once it exited. */
  exited: Promise<number | string>;
}

/**
 * Spawns `node --import tsx <script> ...args` in the repository.
 * @param script A path from the repository root.
 */
export function spawnNode(script: string, args: readonly string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { process: child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * Starts `sluice collector` in a child process and waits for the URL it prints.
 * @returns The child and the URL.
 * @throws when it exits before listening.
 */
export async function spawnCollector(args: readonly string[], env: Record<string, string> = {}): Promise<Child & { url: string }> {
  const child = spawnNode(CLI, ['collector', ...args], env);
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const match = /listening on (http:\/\/\S+)/.exec(child.stdout());
      if (match) {
        child.process.stdout!.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.process.stdout!.on('data', onData);
    void child.exited.then((code) => reject(new Error(`the collector exited (${code}) before listening: ${child.stderr()}`)));
  });
  return { ...child, url };
}
