/**
 * Where partner files come from: a merchant SFTP server, or a local folder (the embedded
 * default, and where other upload tools drop files). Both list the files their globs match
 * and copy one file to a local path; everything else (what is new, stable, safe to land)
 * is decided once, in pipeline/fetch.ts.
 */
export interface RemoteFile {
  /** The file's path as the source names it (posix): relative to a local source's folder; absolute on an SFTP server. */
  path: string;
  size: number;
  mtimeMs: number;
}

/** What archive did: moved; already gone (moved before); or left in place, replaced since it was fetched. */
export type ArchiveOutcome = 'archived' | 'gone' | 'changed';

export interface Source {
  readonly name: string;
  /** Where it is, without secrets (for messages). */
  readonly describe: string;
  /** Files matching the source's globs, in a stable order, and whether each has a `.done` marker. */
  list(): Promise<Array<RemoteFile & { doneMarker: boolean }>>;
  /** Copies the file to `dest` (a temporary name the caller renames), hashing as it goes (one pass over the bytes). */
  download(file: RemoteFile, dest: string): Promise<{ bytes: number; sha256: string }>;
  /**
   * Moves a listed file (its `path`) into an `archive/` folder beside it, creating the folder;
   * never deletes and never overwrites (a name taken there gets a numbered suffix). A file
   * no longer there is taken as moved already ('gone'). Only sources that can do this have
   * it; the source's `archive: true` says whether to call it (after a successful stage).
   * `fetched` is what was downloaded (size, and mtime when known): a file that no longer
   * matches was replaced since, is unread, and stays where it is for the next run ('changed').
   */
  archive?(remotePath: string, fetched?: { size: number; mtimeMs?: number }): Promise<ArchiveOutcome>;
  close(): Promise<void>;
}
