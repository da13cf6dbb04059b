import { mkdirSync, readFileSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Data API statement a named unit of work (a batch's load) is running, written down
 * before polling starts: a run killed while waiting finds it on the next try and waits for
 * it (re-attaches) instead of sending the batch a second time alongside the first.
 */
export interface SavedStatement { id: string; submittedAt: string }

export class StatementStore {
  constructor(private readonly dir: string) {}

  private file(name: string): string {
    return join(this.dir, `${name.replace(/[^\w.-]/g, '_')}.json`);
  }

  get(name: string): SavedStatement | null {
    try {
      const v = JSON.parse(readFileSync(this.file(name), 'utf8')) as SavedStatement;
      return typeof v.id === 'string' ? v : null;
    } catch {
      return null;
    }
  }

  put(name: string, s: SavedStatement): void {
    mkdirSync(this.dir, { recursive: true });
    const f = this.file(name);
    writeFileSync(`${f}.tmp-${process.pid}`, JSON.stringify(s) + '\n');
    renameSync(`${f}.tmp-${process.pid}`, f);
  }

  delete(name: string): void {
    rmSync(this.file(name), { force: true });
  }
}
