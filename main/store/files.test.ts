// Snapshot files at the SQL level (main/snapshot/snapshot.test.ts captures, opens and refuses whole ones).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store, type WriteOp } from './store.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { SnapshotFile, migratedCopy, readSnapshotManifest, schemaVersionOf } from './files.ts';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type SnapshotManifest } from './manifest.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');

const cluster = (id: string, context: string): WriteOp => ({
  op: 'cluster',
  row: { id, context, file: '/k', source: 'file', server: 'https://1.2.3.4', authKind: 'token', status: 'live', at: T0 },
});

const manifest: SnapshotManifest = {
  format: SNAPSHOT_FORMAT,
  formatVersion: SNAPSHOT_FORMAT_VERSION,
  capturedAt: T0,
  capturedAtText: new Date(T0).toISOString(),
  app: { name: 'fleet-console', version: '0.0.0' },
  schemaVersion: SCHEMA_VERSION,
  modelVersion: 1,
  window: { from: null, to: T0 },
  clusters: [],
  counts: { objects: 0, changes: 0, byKind: {} },
};

describe('snapshot files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-files-'));
  const snap = join(dir, 'all.fleetsnap');
  // two clusters and nothing else, sealed as a capture seals it
  before(() => {
    const f = new SnapshotFile(snap);
    f.write([cluster('c1', 'prod'), cluster('c2', 'dev')]);
    f.seal(manifest);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a sealed snapshot is one file, its manifest read after every page is checked', () => {
    assert.deepEqual(readSnapshotManifest(snap, true), manifest);
    assert.ok(!existsSync(`${snap}-wal`) && !existsSync(`${snap}-shm`));
    assert.equal(schemaVersionOf(snap), SCHEMA_VERSION);
  });

  it('opens a snapshot of an older schema through a migrated copy, leaving the file alone', () => {
    const old = join(dir, 'old.fleetsnap');
    copyFileSync(snap, old);
    const db = new Database(old);
    db.exec('DROP TABLE cluster_views; DROP TABLE samples; DROP TABLE change_events; PRAGMA user_version = 1;');
    db.close();
    const bytes = readFileSync(old);
    const copy = migratedCopy(old, 1, dir);
    try {
      assert.notEqual(copy.file, old);
      assert.equal(schemaVersionOf(copy.file), SCHEMA_VERSION);
      const s = new Store(copy.file, { readonly: true });
      try {
        assert.equal(s.clusters().length, 2);
      } finally {
        s.close();
      }
    } finally {
      copy.cleanup();
    }
    assert.equal(existsSync(copy.file), false);
    assert.ok(readFileSync(old).equals(bytes));
  });
});
