import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { TarError, TarGzWriter, memberNameProblem, paxRecord, readTarGz, type ReadTarOptions, type TarEntryInfo } from './tar.ts';

let dir = '';
let seq = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-tar-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const tmp = (suffix = '.tar.gz') => join(dir, `t${++seq}${suffix}`);
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function hasTar(): boolean {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

// --- Raw tar bytes, built independently of tar.ts ---------------------------------------------------

interface H {
  name?: string | Buffer;
  size?: number;
  type?: string;
  magic?: string; // 8 bytes at 257: magic + version
  prefix?: string;
  sizeField?: string;
  checksum?: 'bad';
}

function header(h: H): Buffer {
  const b = Buffer.alloc(512);
  const name = typeof h.name === 'string' || h.name === undefined ? Buffer.from(h.name ?? 'a.txt') : h.name;
  name.copy(b, 0, 0, Math.min(100, name.length));
  b.write('0000644\0', 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  b.write(h.sizeField ?? (h.size ?? 0).toString(8).padStart(11, '0') + '\0', 124, 12, 'latin1');
  b.write('14712345670\0', 136, 'latin1');
  b.write(h.type ?? '0', 156, 1, 'latin1');
  b.write(h.magic ?? 'ustar\x0000', 257, 8, 'latin1');
  if (h.prefix) b.write(h.prefix, 345, 155, 'utf8');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  if (h.checksum === 'bad') sum += 1;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

function member(name: string | Buffer, content: Buffer | string = '', h: H = {}): Buffer {
  const c = Buffer.from(content);
  return Buffer.concat([header({ name, size: c.length, ...h }), c, pad(c.length)]);
}

function paxHeader(records: string): Buffer {
  const c = Buffer.from(records);
  return Buffer.concat([header({ name: 'PaxHeaders/x', size: c.length, type: 'x' }), c, pad(c.length)]);
}

const END = Buffer.alloc(1024);

function writeGz(tar: Buffer, opts: { level?: number } = {}): string {
  const p = tmp();
  writeFileSync(p, gzipSync(tar, { level: opts.level ?? 6 }));
  return p;
}

async function refuses(path: string, message: RegExp, memberName?: string, opts?: ReadTarOptions): Promise<void> {
  await assert.rejects(readTarGz(path, undefined, opts), (e: unknown) => {
    assert.ok(e instanceof TarError, `not a TarError: ${String(e)}`);
    assert.match(e.message, message);
    if (memberName !== undefined) assert.equal(e.member, memberName);
    return true;
  });
}

// --- Round trips -------------------------------------------------------------------------------------

describe('TarGzWriter → readTarGz round trip', () => {
  const longPath = Array.from({ length: 6 }, (_, i) => `segment-${i}-${'x'.repeat(40)}`).join('/') + '/file.yaml';
  const files: [string, Buffer][] = [
    ['manifest.json', Buffer.from('{"v":1}\n')],
    ['objects/pods/shop/web-1.yaml', Buffer.from('kind: Pod\n')],
    ['empty.txt', Buffer.alloc(0)],
    [longPath, Buffer.from('long')],
    ['x'.repeat(100), Buffer.from('exactly 100')],
    ['y'.repeat(101), Buffer.from('101')],
    ['unicode/héllo-wörld-日本語-🚀.txt', Buffer.from('unicode')],
    ['unicode/שלום-مرحبا.log', Buffer.from('rtl')],
    ['unicode/e\u0301-combining.txt', Buffer.from('combining')],
    ['block/512.bin', randomBytes(512)],
    ['block/513.bin', randomBytes(513)],
  ];
  let archive = '';
  let written: TarEntryInfo[] = [];
  let big = Buffer.alloc(0);

  before(async () => {
    assert.ok(longPath.length >= 300);
    big = randomBytes(5 * 1024 * 1024 + 17);
    const bigPath = tmp('.bin');
    writeFileSync(bigPath, big);
    archive = tmp();
    const w = await TarGzWriter.create(archive);
    // Text as strings, the rest as buffers; queued, so the calls may overlap.
    const pending = files.map(([name, data]) =>
      w.add(name, /\.(txt|yaml|json|log)$/.test(name) ? data.toString('utf8') : data, 1_700_000_000_000),
    );
    pending.push(w.addFile('snapshot/cache.sqlite', bigPath));
    written = await Promise.all(pending);
    await w.close();
  });

  it('lists every member in order with its size and SHA-256', async () => {
    const read = await readTarGz(archive);
    assert.deepEqual(
      read.map((e) => e.name),
      [...files.map(([n]) => n), 'snapshot/cache.sqlite'],
    );
    assert.deepEqual(read, written);
    for (const [name, data] of files) assert.equal(read.find((e) => e.name === name)?.sha256, sha(data));
    const last = read[read.length - 1]!;
    assert.equal(last.size, big.length);
    assert.equal(last.sha256, sha(big));
  });

  it('streams each member to onEntry, one at a time, in bounded chunks', async () => {
    const got = new Map<string, Buffer>();
    let busy = false;
    let biggestChunk = 0;
    await readTarGz(archive, async (e, content) => {
      assert.equal(busy, false, 'onEntry calls do not overlap');
      busy = true;
      const parts: Buffer[] = [];
      for await (const c of content) {
        biggestChunk = Math.max(biggestChunk, (c as Buffer).length);
        parts.push(c as Buffer);
      }
      await new Promise((r) => setTimeout(r, 1));
      const data = Buffer.concat(parts);
      assert.equal(data.length, e.size);
      got.set(e.name, data);
      busy = false;
    });
    for (const [name, data] of files) assert.deepEqual(got.get(name), data);
    assert.ok(got.get('snapshot/cache.sqlite')!.equals(big));
    assert.ok(biggestChunk <= 1 << 20, `chunk of ${biggestChunk} bytes`);
  });

  it('discards what onEntry does not read, and still hashes it', async () => {
    const seen: string[] = [];
    const read = await readTarGz(archive, async (e, content) => {
      seen.push(e.name);
      if (e.name === 'manifest.json') assert.equal((await readAll(content)).toString(), '{"v":1}\n');
      else if (e.name === 'snapshot/cache.sqlite') {
        // Read a little, then stop.
        for await (const _c of content) break;
      }
    });
    assert.equal(seen.length, files.length + 1);
    assert.deepEqual(read, written);
  });

  it("rejects with onEntry's own error", async () => {
    const boom = new Error('consumer failed');
    await assert.rejects(
      readTarGz(archive, (e) => {
        if (e.name === 'empty.txt') throw boom;
      }),
      (e) => e === boom,
    );
    await assert.rejects(
      readTarGz(archive, async (e, content) => {
        if (e.name === 'snapshot/cache.sqlite') {
          for await (const _c of content) throw boom;
        }
      }),
      (e) => e === boom,
    );
  });

  it('makes archives GNU tar lists and extracts (pax names included)', { skip: !hasTar() }, () => {
    const listed = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trimEnd().split('\n');
    assert.deepEqual(listed, [...files.map(([n]) => n), 'snapshot/cache.sqlite']);
    const out = join(dir, `extract-${++seq}`);
    mkdirSync(out);
    execFileSync('tar', ['-xzf', archive, '-C', out]);
    for (const [name, data] of files) assert.deepEqual(readFileSync(join(out, name)), data);
    assert.equal(sha(readFileSync(join(out, 'snapshot/cache.sqlite'))), sha(big));
    assert.equal(statSync(join(out, 'manifest.json')).mtimeMs, 1_700_000_000_000);
  });
});

describe('readTarGz reads what GNU tar makes from regular files', { skip: !hasTar() }, () => {
  for (const format of ['ustar', 'posix', 'gnu']) {
    it(`--format=${format}`, async () => {
      const src = join(dir, `src-${++seq}`);
      mkdirSync(join(src, 'd/e'), { recursive: true });
      writeFileSync(join(src, 'a.txt'), 'a');
      writeFileSync(join(src, 'd/e/b.bin'), randomBytes(2000));
      writeFileSync(join(src, 'd/ünï.txt'), 'u');
      const p = tmp();
      execFileSync('tar', [`--format=${format}`, '-czf', p, '-C', src, 'a.txt', 'd']);
      const read = await readTarGz(p);
      assert.deepEqual(read.map((e) => e.name).sort(), ['a.txt', 'd/e/b.bin', 'd/ünï.txt']);
      assert.equal(read.find((e) => e.name === 'd/e/b.bin')?.sha256, sha(readFileSync(join(src, 'd/e/b.bin'))));
    });
  }

  it('long non-ASCII names: pax (posix) is read, GNU long names are refused', async () => {
    const src = join(dir, `src-${++seq}`);
    const long = 'ü'.repeat(70) + '-日本語.txt';
    mkdirSync(join(src, 'd'), { recursive: true });
    writeFileSync(join(src, 'd', long), 'x');
    const posix = tmp();
    execFileSync('tar', ['--format=posix', '-czf', posix, '-C', src, `d/${long}`]);
    assert.deepEqual(
      (await readTarGz(posix)).map((e) => e.name),
      [`d/${long}`],
    );
    const gnu = tmp();
    execFileSync('tar', ['--format=gnu', '-czf', gnu, '-C', src, `d/${long}`]);
    await refuses(gnu, /unsupported member type: GNU long name/);
  });
});

// --- The writer's refusals -----------------------------------------------------------------------------

describe('TarGzWriter refusals', () => {
  const bad: [string, RegExp][] = [
    ['/etc/passwd', /absolute/],
    ['../x', /'\.\.' segment/],
    ['a/../../x', /'\.\.' segment/],
    ['./a', /'\.' segment/],
    ['a//b', /empty path segment/],
    ['a/', /empty path segment/],
    ['', /empty name/],
    ['a\\b', /backslash/],
    ['a\0b', /NUL/],
    ['a\nb', /control character/],
    ['C:/x', /drive letter/],
    ['bad\ud800', /lone surrogate/],
    ['s'.repeat(256), /segment longer than 255/],
    [Array.from({ length: 20 }, () => 'z'.repeat(250)).join('/'), /longer than 4096/],
  ];
  for (const [name, why] of bad) {
    it(`refuses ${JSON.stringify(name.length > 40 ? name.slice(0, 40) + '…' : name)}`, async () => {
      assert.match(memberNameProblem(name) ?? '', why);
      const w = await TarGzWriter.create(tmp());
      await assert.rejects(w.add(name, 'x'), (e: unknown) => e instanceof TarError && why.test(e.message) && e.member === name);
      // The writer is still usable.
      await w.add('ok.txt', 'ok');
      await w.close();
    });
  }

  it('refuses duplicates (also in another Unicode normalisation form)', async () => {
    const p = tmp();
    const w = await TarGzWriter.create(p);
    await w.add('a.txt', '1');
    await assert.rejects(w.add('a.txt', '2'), /duplicate/);
    await w.add('\u00e9.txt', '1');
    await assert.rejects(w.add('e\u0301.txt', '2'), /duplicate/);
    await w.close();
    assert.deepEqual(
      (await readTarGz(p)).map((e) => e.name),
      ['a.txt', '\u00e9.txt'],
    );
  });

  it('creates exclusively, and refuses to be used after close', async () => {
    const p = tmp();
    writeFileSync(p, 'precious');
    await assert.rejects(TarGzWriter.create(p), { code: 'EEXIST' });
    assert.equal(readFileSync(p, 'utf8'), 'precious');
    const q = tmp();
    const w = await TarGzWriter.create(q);
    await w.close();
    await assert.rejects(w.add('late.txt', 'x'), /closed/);
    await assert.rejects(w.close(), /closed/);
    assert.deepEqual(await readTarGz(q), []);
  });

  it('refuses a source that is not a regular file without breaking, and a bad mtime', async () => {
    const p = tmp();
    const w = await TarGzWriter.create(p);
    await assert.rejects(w.addFile('dir', dir), /not a regular file/);
    await assert.rejects(w.addFile('missing', join(dir, 'nope')), { code: 'ENOENT' });
    await assert.rejects(w.add('t.txt', 'x', -1), RangeError);
    await assert.rejects(w.add('t.txt', 'x', Number.NaN), RangeError);
    await w.add('dir', 'now a file');
    await w.close();
    assert.deepEqual(
      (await readTarGz(p)).map((e) => e.name),
      ['dir'],
    );
  });

  it('a source that shrinks while being read breaks the writer; abort() cleans up', async () => {
    const src = tmp('.bin');
    writeFileSync(src, randomBytes(64 << 20));
    const p = tmp();
    const w = await TarGzWriter.create(p, { level: 0 });
    await w.add('first.txt', 'first');
    const adding = w.addFile('big.bin', src);
    const failed = assert.rejects(adding, /shrank from 67108864 to \d+ bytes/);
    // Cut the source once its content has started to reach the archive.
    while (!existsSync(p) || statSync(p).size < 2 << 20) await new Promise((r) => setImmediate(r));
    truncateSync(src, 1 << 20);
    await failed;
    await assert.rejects(w.add('after.txt', 'x'), /shrank/);
    await assert.rejects(w.close(), /shrank/);
    await w.abort();
    assert.equal(existsSync(p), false);
  });

  it('abort() deletes the partial file', async () => {
    const p = tmp();
    const w = await TarGzWriter.create(p);
    await w.add('a.txt', 'a');
    await w.abort();
    assert.equal(existsSync(p), false);
    await assert.rejects(w.add('b.txt', 'b'), /closed/);
  });
});

// --- The reader's refusals -----------------------------------------------------------------------------

describe('readTarGz refusals: the container', () => {
  const good = Buffer.concat([member('a.txt', 'hello'), member('b.txt', 'x'.repeat(3000)), END]);

  it('not gzip: empty, text, an uncompressed tar', async () => {
    const empty = tmp();
    writeFileSync(empty, '');
    await refuses(empty, /not a gzip file \(empty\)/);
    const text = tmp();
    writeFileSync(text, 'apiVersion: v1\nkind: Pod\n');
    await refuses(text, /^not a gzip file$/);
    const tar = tmp();
    writeFileSync(tar, good);
    await refuses(tar, /uncompressed tar/);
  });

  it('a zip archive', async () => {
    const p = tmp();
    writeFileSync(p, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), randomBytes(100)]));
    await refuses(p, /looks like a zip archive/);
  });

  it('truncated gzip, at several offsets', async () => {
    const gz = gzipSync(good);
    for (const cut of [3, 10, 11, 20, gz.length >> 1, gz.length - 9, gz.length - 8, gz.length - 4, gz.length - 1]) {
      const p = tmp();
      writeFileSync(p, gz.subarray(0, cut));
      await refuses(p, /truncated/);
    }
  });

  it('truncated writer output, at every 1/16th', async () => {
    const p = tmp();
    const w = await TarGzWriter.create(p, { level: 0 });
    await w.add('a.bin', randomBytes(10_000));
    await w.add('b/' + 'n'.repeat(150), randomBytes(700));
    await w.close();
    const gz = readFileSync(p);
    for (let k = 1; k < 16; k++) {
      const q = tmp();
      writeFileSync(q, gz.subarray(0, Math.floor((gz.length * k) / 16)));
      await refuses(q, /truncated/);
    }
  });

  it('corrupt gzip: CRC, length, and a flipped content byte', async () => {
    const gz = gzipSync(good, { level: 0 }); // stored blocks: a flipped byte is a flipped byte of the tar
    const crc = Buffer.from(gz);
    crc[crc.length - 8]! ^= 1;
    const p1 = tmp();
    writeFileSync(p1, crc);
    await refuses(p1, /corrupt gzip stream: CRC mismatch/);
    const len = Buffer.from(gz);
    len[len.length - 1]! ^= 1;
    const p2 = tmp();
    writeFileSync(p2, len);
    await refuses(p2, /corrupt gzip stream: length mismatch/);
    const body = Buffer.from(gz);
    const at = body.indexOf('hello');
    body[at]! ^= 0x20;
    const p3 = tmp();
    writeFileSync(p3, body);
    await refuses(p3, /CRC mismatch/);
    const deflate = gzipSync(good);
    deflate[12]! ^= 0xff;
    const p4 = tmp();
    writeFileSync(p4, deflate);
    await assert.rejects(readTarGz(p4), TarError);
  });

  it('trailing bytes after the gzip stream', async () => {
    for (const tail of [Buffer.alloc(8), Buffer.from('garbage!'), Buffer.from([0x1f, 0x8b, 0, 0, 1, 2, 3])]) {
      const p = tmp();
      writeFileSync(p, Buffer.concat([gzipSync(good), tail]));
      await refuses(p, /trailing data after the gzip stream/);
    }
  });

  it('accepts concatenated gzip members (one gzip stream) and record padding', async () => {
    const p = tmp();
    writeFileSync(p, Buffer.concat([gzipSync(good.subarray(0, 700)), gzipSync(Buffer.concat([good.subarray(700), Buffer.alloc(10240)]))]));
    assert.deepEqual(
      (await readTarGz(p)).map((e) => [e.name, e.size]),
      [
        ['a.txt', 5],
        ['b.txt', 3000],
      ],
    );
  });

  it('data after the end-of-archive marker, and too much padding', async () => {
    await refuses(writeGz(Buffer.concat([good, Buffer.from('hidden')])), /data after the end-of-archive marker/);
    await refuses(writeGz(Buffer.concat([good, member('late.txt', 'x')])), /data after the end-of-archive marker/);
    await refuses(writeGz(Buffer.concat([good, Buffer.alloc(8192)])), /more than 4096 bytes of padding/, undefined, { maxPadding: 4096 });
  });

  it('a missing or half end-of-archive marker, and a lone zero block', async () => {
    const noEnd = Buffer.concat([member('a.txt', 'hello')]);
    await refuses(writeGz(noEnd), /without an end-of-archive marker/);
    await refuses(writeGz(Buffer.concat([noEnd, Buffer.alloc(512)])), /inside the end-of-archive marker/);
    await refuses(writeGz(Buffer.concat([noEnd, Buffer.alloc(512), member('b.txt', 'x'), END])), /lone zero block/);
  });

  it('truncated tar inside a gzip stream that is whole, at several offsets', async () => {
    const offsets: [number, RegExp, string?][] = [
      [100, /inside a header/],
      [512 + 2, /has 2 of its 5 bytes/, 'a.txt'],
      [512 + 5, /inside the padding/, 'a.txt'],
      [1024 + 512 + 1000, /has 1000 of its 3000 bytes/, 'b.txt'],
      [1024 + 512 + 3000 + 10, /inside the padding/, 'b.txt'],
      [good.length - 1024, /without an end-of-archive marker/],
      [good.length - 100, /inside the end-of-archive marker/],
    ];
    for (const [cut, why, name] of offsets) await refuses(writeGz(good.subarray(0, cut)), why, name);
  });
});

describe('readTarGz refusals: headers and members', () => {
  const cases: [string, Buffer, RegExp, string?][] = [
    [
      'header checksum mismatch',
      Buffer.concat([member('a.txt', 'x', { checksum: 'bad' }), END]),
      /header checksum mismatch at offset 0/,
      'a.txt',
    ],
    ['not ustar (v7)', Buffer.concat([member('a.txt', 'x', { magic: '\0'.repeat(8) }), END]), /not a ustar header/, 'a.txt'],
    ['bad size field', Buffer.concat([header({ name: 'a.txt', sizeField: '12x\0' }), END]), /bad numeric field: size/, 'a.txt'],
    ['symbolic link', Buffer.concat([member('link', '', { type: '2' }), END]), /unsupported member type: symbolic link/, 'link'],
    ['hard link', Buffer.concat([member('hl', '', { type: '1' }), END]), /unsupported member type: hard link/, 'hl'],
    ['character device', Buffer.concat([member('tty', '', { type: '3' }), END]), /character device/, 'tty'],
    ['block device', Buffer.concat([member('sda', '', { type: '4' }), END]), /block device/, 'sda'],
    ['FIFO', Buffer.concat([member('fifo', '', { type: '6' }), END]), /FIFO/, 'fifo'],
    [
      'global pax header',
      Buffer.concat([member('g', paxRecord('comment', 'x'), { type: 'g' }), member('a.txt', 'x'), END]),
      /global pax header/,
      'g',
    ],
    ['GNU long name', Buffer.concat([member('././@LongLink', 'a'.repeat(200) + '\0', { type: 'L' }), END]), /GNU long name/],
    ['an unknown type', Buffer.concat([member('q', '', { type: 'Q' }), END]), /unsupported member type "Q"/, 'q'],
    ['absolute name', Buffer.concat([member('/etc/passwd', 'x'), END]), /absolute name/, '/etc/passwd'],
    ['.. segment', Buffer.concat([member('a/../../etc/passwd', 'x'), END]), /'\.\.' segment/, 'a/../../etc/passwd'],
    ['. segment', Buffer.concat([member('./a.txt', 'x'), END]), /'\.' segment/, './a.txt'],
    ['backslash', Buffer.concat([member('..\\evil', 'x'), END]), /backslash/, '..\\evil'],
    ['empty segment', Buffer.concat([member('a//b', 'x'), END]), /empty path segment/, 'a//b'],
    ['NUL inside the name field', Buffer.concat([member(Buffer.from('safe.txt\0../../evil'), 'x'), END]), /NUL in member name/],
    ['control character', Buffer.concat([member('a\x1b[2Jb', 'x'), END]), /control character/],
    ['invalid UTF-8', Buffer.concat([member(Buffer.from([0x61, 0xff, 0x62]), 'x'), END]), /not valid UTF-8/],
    ['prefix makes it absolute', Buffer.concat([member('passwd', 'x', { prefix: '/etc' }), END]), /absolute name/, '/etc/passwd'],
    ['duplicate name', Buffer.concat([member('a.txt', '1'), member('a.txt', '2'), END]), /duplicate member name/, 'a.txt'],
    ['duplicate in NFC', Buffer.concat([member('\u00e9', '1'), member('e\u0301', '2'), END]), /duplicate member name/, 'e\u0301'],
    [
      'a file named like a directory',
      Buffer.concat([member('d/', '', { type: '5' }), member('d', 'x'), END]),
      /duplicate member name/,
      'd',
    ],
    ['a directory with content', Buffer.concat([member('d/', 'xyz', { type: '5' }), END]), /directory with content/, 'd/'],
    [
      'a member longer than the archive',
      Buffer.concat([header({ name: 'big.bin', size: 10_000 }), Buffer.alloc(100, 1)]),
      /truncated: the member has 100 of its 10000 bytes/,
      'big.bin',
    ],
    [
      'non-zero padding',
      Buffer.concat([header({ name: 'a.txt', size: 1 }), Buffer.from('x'), Buffer.alloc(511, 0x41), END]),
      /non-zero padding/,
      'a.txt',
    ],
    [
      'pax path with ..',
      Buffer.concat([paxHeader(paxRecord('path', 'ok/../../evil')), member('harmless.txt', 'x'), END]),
      /'\.\.' segment/,
      'ok/../../evil',
    ],
    [
      'pax path absolute',
      Buffer.concat([paxHeader(paxRecord('path', '/root/.ssh/authorized_keys')), member('k', 'x'), END]),
      /absolute name/,
      '/root/.ssh/authorized_keys',
    ],
    ['pax path with NUL', Buffer.concat([paxHeader(paxRecord('path', 'a\0b')), member('k', 'x'), END]), /NUL/],
    ['pax path empty', Buffer.concat([paxHeader(paxRecord('path', '')), member('k', 'x'), END]), /empty pax path/],
    [
      'pax path fine but the ustar name is not',
      Buffer.concat([paxHeader(paxRecord('path', 'fine.txt')), member('../evil', 'x'), END]),
      /'\.\.' segment/,
      '../evil',
    ],
    [
      'pax duplicate of an earlier name',
      Buffer.concat([member('a.txt', '1'), paxHeader(paxRecord('path', 'a.txt')), member('b.txt', '2'), END]),
      /duplicate member name/,
      'a.txt',
    ],
    ['malformed pax record', Buffer.concat([paxHeader('99 path=x\n'), member('k', 'x'), END]), /malformed pax record/],
    ['pax record without =', Buffer.concat([paxHeader('8 pathx\n'), member('k', 'x'), END]), /malformed pax record/],
    [
      'two pax headers in a row',
      Buffer.concat([paxHeader(paxRecord('path', 'a')), paxHeader(paxRecord('path', 'b')), member('k', 'x'), END]),
      /two pax headers in a row/,
    ],
    ['a pax header then the end', Buffer.concat([paxHeader(paxRecord('path', 'a')), END]), /pax header is not followed by a member/],
    ['pax sparse', Buffer.concat([paxHeader(paxRecord('GNU.sparse.major', '1')), member('k', 'x'), END]), /sparse/],
    ['pax bad size', Buffer.concat([paxHeader(paxRecord('size', '-1')), member('k', 'x'), END]), /bad pax size/],
  ];
  for (const [name, tar, why, memberName] of cases) {
    it(name, async () => refuses(writeGz(tar), why, memberName));
  }

  it("does not hold a pax header's own name, or a pax'd member's stand-in name, to UTF-8", async () => {
    const cut = Buffer.from('ü'.repeat(50)).subarray(0, 99); // cut mid-character, as tar may
    const c = Buffer.from(paxRecord('path', 'real-name.txt'));
    const tar = Buffer.concat([header({ name: cut, size: c.length, type: 'x' }), c, pad(c.length), member(cut, 'x'), END]);
    assert.deepEqual(
      (await readTarGz(writeGz(tar))).map((e) => e.name),
      ['real-name.txt'],
    );
  });

  it('takes pax path and size records, and skips directories', async () => {
    const long = 'p/'.repeat(200) + 'leaf.txt';
    const tar = Buffer.concat([
      member('d/', '', { type: '5' }),
      paxHeader(paxRecord('path', long) + paxRecord('mtime', '1700000000.5') + paxRecord('SCHILY.xattr.user.x', 'y')),
      member('truncated-name', 'content'),
      paxHeader(paxRecord('size', '5')),
      header({ name: 'sized.bin', size: 0 }),
      Buffer.from('12345'),
      pad(5),
      END,
    ]);
    const read = await readTarGz(writeGz(tar));
    assert.deepEqual(read, [
      { name: long, size: 7, sha256: sha('content') },
      { name: 'sized.bin', size: 5, sha256: sha('12345') },
    ]);
  });

  it('caps members and total size, from the headers', async () => {
    const three = Buffer.concat([member('a', 'x'.repeat(600)), member('b', 'x'.repeat(600)), member('c', 'x'), END]);
    await refuses(writeGz(three), /more than 2 members/, 'c', { maxMembers: 2 });
    await refuses(writeGz(three), /larger than 1000 bytes in all/, 'b', { maxTotalSize: 1000 });
    // The cap is checked before the content is read: a huge claimed size is refused at once.
    await refuses(
      writeGz(Buffer.concat([header({ name: 'bomb', size: 0o77777777777 }), END])),
      /larger than 1073741824 bytes in all/,
      'bomb',
      {
        maxTotalSize: 2 ** 30,
      },
    );
    await refuses(
      writeGz(Buffer.concat([paxHeader(paxRecord('comment', 'x'.repeat(3000))), member('k', 'x'), END])),
      /pax header larger than 1024 bytes/,
      undefined,
      {
        maxPaxSize: 1024,
      },
    );
    assert.equal((await readTarGz(writeGz(three), undefined, { maxMembers: 3, maxTotalSize: 1201 })).length, 3);
  });
});
