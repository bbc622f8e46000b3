// The cache: current objects, their change history and the sync state of every (cluster, kind),
// in SQLite (WAL). Writes come in batches, one transaction each, from the sync worker; readers
// (model, views, CLI) open the same file. kill -9 at any moment leaves a database that opens and
// resumes: every batch is atomic, and the WAL is replayed by SQLite on the next open.
//
// The store owns its schema: every statement on the cache is in main/store/, behind named methods.
// Store opens and migrates the file and puts together the reads (reads.ts), the writes (writes.ts)
// and the derived views' rows (views.ts); what an object becomes on the way in is encoding.ts.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './schema.ts';
import { StoreReads } from './reads.ts';
import { StoreWriter, type WriteOp } from './writes.ts';
import { ViewRows } from './views.ts';
import { backfillChanges, type ActionRecord, type ChangeEvents } from './changes.ts';

export type { ClusterRow, KObj, ObjectInput } from '../kube/sink.ts';
export type { ChangeRecord, ChangeType, ObjectHit, ObjectRow, RefusedKind, StoredObject } from './reads.ts';
export type { WriteOp } from './writes.ts';
export type { ActionRecord } from './changes.ts';
export { PARTITION_MS } from './schema.ts';

export interface StoreOptions {
  readonly?: boolean;
}

function open(path: string, opts: StoreOptions): Database.Database {
  if (!opts.readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    // 16 KiB pages (for a new file; an existing one keeps its size): an object is a 1-4 KiB row, and
    // each page goes through the WAL and back to the file, a system call each way: a relist of
    // thousands of objects writes 4 times fewer pages than with 4 KiB. Not larger: a change to one
    // object rewrites its whole page in the WAL (updates that keep the indexed columns write no
    // index page, see StoreWriter's kindStatements).
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    // Checkpoint (copy the WAL into the file, two fsyncs) every 64 MiB of WAL rather than every 1000
    // pages: fewer, larger checkpoints, in bursts and in steady state alike.
    db.pragma(`wal_autocheckpoint = ${Math.round((64 * 2 ** 20) / (db.pragma('page_size', { simple: true }) as number))}`);
    // NORMAL in WAL mode: a power loss may lose the last transactions, never corrupt the file.
    db.pragma('synchronous = NORMAL');
    // 64 MiB of page cache: the key and name indexes of a large fleet stay in memory.
    db.pragma('cache_size = -65536');
  }
  migrate(db, !!opts.readonly);
  return db;
}

export class Store extends StoreReads {
  readonly path: string;
  /** the derived views' rows (cluster_views, samples) */
  readonly views: ViewRows;
  /** the fleet's change events (change_events), which the writes keep */
  readonly changeEvents: ChangeEvents;
  private readonly writer: StoreWriter;

  constructor(path: string, opts: StoreOptions = {}) {
    super(open(path, opts));
    this.path = path;
    this.writer = new StoreWriter(this.db);
    this.views = new ViewRows(this.db);
    this.changeEvents = this.writer.recorder.events;
  }

  /** opened read-only (a snapshot, or a reader of someone else's cache) */
  get readonly(): boolean {
    return this.db.readonly;
  }

  /** Apply a batch of writes atomically. */
  write(ops: WriteOp[]): void {
    this.writer.write(ops);
  }

  /** Record the latest resourceVersion seen by a watch (bookmarks, events) without other changes. */
  touch(cluster: string, kind: string, rv: string, at: number): void {
    this.writer.touch(cluster, kind, rv, at);
  }

  /** Drop whole history partitions older than maxAgeMs, then the oldest until under maxBytes. */
  retain(opts: { maxAgeMs?: number; maxBytes?: number; now?: number }): { dropped: string[] } {
    return this.writer.retain(opts);
  }

  /**
   * Derive every change event again from the history (after the change rules improved, or to measure
   * them): one transaction. Returns the history records read and the events made.
   */
  rederiveChanges(): { records: number; events: number } {
    let records = 0;
    this.db.transaction(() => {
      this.db.exec('DELETE FROM change_events');
      records = backfillChanges(this.db);
    })();
    return { records, events: this.changeEvents.count() };
  }

  /** An action of the console's (done or failed) in the cluster's change history; returns its change event's id. */
  recordAction(a: ActionRecord): number {
    return this.changeEvents.recordAction(a);
  }

  /** Copy what the WAL holds into the file and empty it: the file alone is then the whole database. */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
  }
}
