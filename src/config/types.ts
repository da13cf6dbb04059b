import type { Locale, DateOrder } from '../schemas/types.js';

/** The configuration file's shape ("Configuration" in README.md). Every key is optional. */
export interface SourceConfig {
  name: string;
  type: 'sftp' | 'local';
  host?: string;
  port?: number;
  user?: string;
  privateKeyFile?: string;
  passphraseFile?: string;
  passphraseEnv?: string;
  passwordEnv?: string;
  knownHostsFile?: string;
  hostKeySha256?: string;
  path?: string;
  paths?: string[];
  merchantIdFrom?: string;
  schema?: string;
  /** A file this many seconds old (by mtime) is taken without waiting for a second listing (default 60). */
  stableAfterSeconds?: number;
  /** sftp: log in through ssh-agent (SSH_AUTH_SOCK, checked when the source connects). Only when asked for: a config means the same on every machine. */
  agent?: boolean;
  /** sftp: after a successful stage, move each file into an `archive/` folder beside it (default false; never deletes). */
  archive?: boolean;
  /** sftp: connect + handshake + login, and each request but reads, must finish within this (default 30). */
  timeoutSeconds?: number;
  /** sftp: a download receiving under minBytesPerSecond for this long is aborted and retried (default 30). */
  stallSeconds?: number;
  /** sftp: the stall watchdog's floor (default 1024). */
  minBytesPerSecond?: number;
  /** sftp: tries after the first for a dropped, reset, timed-out or stalled connection (default 3). */
  retries?: number;
  /** sftp: the first wait before a retry, doubled each time up to 30 s (default 1). */
  retryDelaySeconds?: number;
  /** Downloads at once from this source (default 4). */
  concurrency?: number;
  /**
   * With merchantIdFrom: the other merchants a folder's files may hold rows of (a chain's head
   * office: `{ M0401: [M0101, M0102] }`). A row naming any other merchant is `merchant-mismatch`.
   */
  speaksFor?: Record<string, string[]>;
  /**
   * How often this source's files (each merchant's, with merchantIdFrom) are expected, in
   * seconds (written as a duration: 15m, 1h, 1d). Unset: freshness is shown, never judged.
   */
  expectEvery?: number;
  /**
   * A source or merchant with no file for longer than this (seconds; written as a duration) is
   * late past its bound: `run` and `status` exit 1 and name it. Default 2 × expectEvery.
   */
  lateAfter?: number;
  /**
   * merchant_inventory only: what one merchant's file says of its catalogue. `full` (the
   * default): every product the merchant lists, so a product absent from it is delisted (and a
   * file under warehouse.shrinkGuardPercent of the merchant's listed products is refused, see
   * --allow-shrink). `delta`: only the products that changed; absent ones are left as they are.
   * Written into each batch's manifest when it is staged: a batch loads the same way forever.
   */
  inventory?: InventoryMode;
}

/** How a merchant_inventory file is read: the merchant's whole catalogue, or only what changed. */
export type InventoryMode = 'full' | 'delta';
export const INVENTORY_MODES: readonly InventoryMode[] = ['full', 'delta'];
/** The schema an inventory mode belongs to. */
export const INVENTORY_SCHEMA = 'merchant_inventory';

export interface LakeConfig {
  url: string;
  region?: string | null;
  endpoint?: string | null;
  kmsKeyId?: string | null;
  profile?: string | null;
  /** Uncompressed bytes per normalised part (default ~128 MB). */
  partBytes?: number;
}

export interface WarehouseConfig {
  engine: 'pglite' | 'postgres' | 'redshift-data';
  path?: string | null;
  url?: string | null;
  clusterIdentifier?: string | null;
  workgroupName?: string | null;
  database?: string | null;
  dbUser?: string | null;
  secretArn?: string | null;
  iamRole?: string | null;
  region?: string | null;
  /** redshift-data: a Data API endpoint other than the region's own (a VPC endpoint; the tests' emulator). */
  endpoint?: string | null;
  /** redshift-data: how long one statement may run before it is cancelled (default 1800). */
  statementTimeoutSeconds?: number;
  /** pglite: how long a command waits for another that has the embedded warehouse open (default 60). */
  lockWaitSeconds?: number;
  /** How many times a batch whose transaction met another loader's (serialization conflict) is loaded again (default 4). */
  conflictRetries?: number;
  /** The first pause before such a retry, in seconds; each next one doubles, half of it random (default 2). */
  conflictBackoffSeconds?: number;
  /**
   * A full-catalogue inventory batch listing under this percentage of a merchant's currently
   * listed products fails (`inventory-shrink`) instead of delisting the rest, unless loaded with
   * --allow-shrink: a truncated upload must not empty a pharmacy. Whole number 0..100; 0 turns
   * the guard off (default 50).
   */
  shrinkGuardPercent?: number;
}

export interface ProfileConfig {
  locale?: Locale;
  dateOrder?: DateOrder;
  encoding?: string;
  delimiter?: string;
  sheet?: string;
  headerRow?: number;
  aliases?: Record<string, string[]>;
  timezone?: string;
}

export interface LimitsConfig {
  csvBytes?: number;
  csvRecordBytes?: number;
  spreadsheetBytes?: number;
  spreadsheetInflatedBytes?: number;
  spreadsheetRows?: number;
  pdfBytes?: number;
  pdfPages?: number;
  pdfSeconds?: number;
  ocrPageSeconds?: number;
  imagePixels?: number;
}

export interface HaloConfig {
  /** Where it was read from; null for the built-in defaults. */
  file: string | null;
  /** Relative paths in the file resolve from here. */
  baseDir: string;
  sources: SourceConfig[];
  /** Where fetched files land (default ./.halo-data/landing). */
  landing?: string;
  lake: LakeConfig;
  warehouse: WarehouseConfig;
  merchants: Record<string, ProfileConfig>;
  limits: LimitsConfig;
  /** Claim-PDF template files or folders (absolute), added to the built-in ones. */
  claimTemplates: string[];
  claims?: ClaimsConfig;
  run?: RunConfig;
  locks?: LocksConfig;
}

export interface ClaimsConfig {
  /**
   * A file of accepted ICD-10 codes (an insurer's list; absolute once loaded), one per line, a
   * `#` line a comment; text after the code on its line (a tab, space, comma or semicolon,
   * then a description) is ignored. Set: a well-formed code not in it is a row error.
   */
  icd10CodesFile?: string;
  /**
   * Labels to add to the claim reader's dictionary: printed labels per insurance_claim field,
   * and header texts per line-item column (line_no, code, description, quantity, unit_price,
   * amount). They come before the built-in ones.
   */
  labels?: { fields?: Record<string, string[]>; columns?: Record<string, string[]> };
  /**
   * How scans and photos are read (OCR): the languages the engine tries together (`ind`,
   * `eng`: the models installed from npm; default both) and the resolution pages are
   * recognised at (default 250 dpi; finer scans are scaled down, coarser ones up).
   */
  ocr?: { languages?: Array<'ind' | 'eng'>; dpi?: number };
}

export interface RunConfig {
  /**
   * `run` loads complete batches of its sources dated within this many days that the
   * warehouse ledger lacks (a warehouse deleted or restored from an older backup); 0 turns
   * it off (default 7).
   */
  reconcileDays?: number;
}

export interface LocksConfig {
  /** A lock (the run's, the embedded warehouse's) whose heartbeat is older than this is taken over, from any host (default 300). */
  staleSeconds?: number;
}
