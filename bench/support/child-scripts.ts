/**
 * How the parent starts the bench/child/*.ts scripts.
 *
 * Under `node --import tsx` a child carries tsx's loader (an extra V8 isolate for the module
 * hooks thread: about +35 MB RSS and +0.4 s start-up on these machines), which would inflate
 * exactly the figures being measured. So the child scripts are bundled once per run with
 * esbuild (already installed as tsx's own dependency) into plain .mjs files and run with bare
 * `node`. npm packages stay external; the bundle is written inside the repo (bench/.data/) so
 * they resolve from node_modules. If esbuild cannot be loaded, fall back to tsx and say so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_DIR } from '../generate/cache.js';
import { removeAtExit } from './cleanup.js';

export const CHILD_SCRIPTS = ['floor', 'duckdb', 'normalize'] as const;
export type ChildScript = (typeof CHILD_SCRIPTS)[number];

export interface ChildLauncher {
  mode: 'bundled' | 'tsx';
  /** Node arguments that run the child script (its own arguments are appended by the caller). */
  argsFor(script: ChildScript): string[];
}

const childSource = (script: ChildScript): string =>
  fileURLToPath(new URL(`../child/${script}.ts`, import.meta.url));

interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<unknown>;
  /** Ends esbuild's service process (otherwise it lingers until this process exits). */
  stop(): Promise<void> | void;
}

/** Bundles left behind by runs that were killed outright (SIGKILL gives no chance to clean). */
function removeStaleBundles(): void {
  if (!fs.existsSync(DATA_DIR)) return;
  for (const name of fs.readdirSync(DATA_DIR)) {
    const pid = /^children-(\d+)$/.exec(name)?.[1];
    if (!pid || Number(pid) === process.pid) continue;
    try {
      process.kill(Number(pid), 0); // signal 0: only asks whether that run is still alive
    } catch {
      fs.rmSync(path.join(DATA_DIR, name), { recursive: true, force: true });
    }
  }
}

export async function prepareChildScripts(): Promise<ChildLauncher> {
  removeStaleBundles();
  const outDir = path.join(DATA_DIR, `children-${process.pid}`);
  try {
    // Not a direct dependency of this project: loaded dynamically, typed loosely.
    const esbuild = (await import('esbuild' as string)) as EsbuildLike;
    removeAtExit(outDir);
    try {
      await esbuild.build({
        entryPoints: Object.fromEntries(CHILD_SCRIPTS.map((s) => [s, childSource(s)])),
        outdir: outDir,
        outExtension: { '.js': '.mjs' },
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        target: 'node20',
        logLevel: 'silent',
      });
    } finally {
      await esbuild.stop();
    }
    return { mode: 'bundled', argsFor: (s) => [path.join(outDir, `${s}.mjs`)] };
  } catch (err) {
    fs.rmSync(outDir, { recursive: true, force: true });
    process.stderr.write(`note: could not bundle child scripts with esbuild (${String(err)}); using tsx\n`);
    return { mode: 'tsx', argsFor: (s) => ['--import', 'tsx', childSource(s)] };
  }
}
