/**
 * Where partner files come from: a merchant SFTP server, or a local folder (the embedded
 * default, and where other upload tools drop files). Both list the files their globs match
 * and copy one file to a local path; everything else (what is new, stable, safe to land)
 * is decided once, in pipeline/fetch.ts.
 */
export interface RemoteFile {
  /** The file's path as the source names it (posix, relative to the source's root). */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface Source {
  readonly name: string;
  /** Where it is, without secrets (for messages). */
  readonly describe: string;
  /** Files matching the source's globs, in a stable order, and whether each has a `.done` marker. */
  list(): Promise<Array<RemoteFile & { doneMarker: boolean }>>;
  /** Copies the file to `dest` (a temporary name the caller renames), hashing as it goes (one pass over the bytes). */
  download(file: RemoteFile, dest: string): Promise<{ bytes: number; sha256: string }>;
  close(): Promise<void>;
}
