// A small, strict tar.gz writer and reader for incident bundles: POSIX ustar headers, pax 'x' extended
// headers for names a ustar header cannot hold (over 100 bytes, or not ASCII) and sizes over 8 GiB,
// node:zlib and node:crypto only.
//
// We write bundles ourselves, so the reader takes what the writer makes (and what GNU tar or bsdtar
// make from regular files) and refuses the rest with a TarError rather than guessing:
// - not gzip, a zip archive, an uncompressed tar; truncated or corrupt gzip (CRC, length, deflate
//   errors); bytes after the gzip stream (Node's gunzip skips zeros there, so we also compare what it
//   consumed with the file's size); concatenated gzip members are one gzip stream and read as such;
// - a header whose checksum does not match, that is not ustar (POSIX "ustar\0" "00" or GNU "ustar  ");
//   numeric fields that are not octal (or GNU base-256 for sizes);
// - member types other than regular files ('0', NUL) and directories ('5', skipped: not given to
//   onEntry nor listed, but their names are checked and count as members); symbolic and hard links,
//   devices, FIFOs, global pax headers ('g'), GNU long names ('L', 'K'), sparse files and the rest;
// - names (after pax 'path' is applied; the ustar name field is checked too) that are empty, absolute,
//   have '', '.' or '..' segments, backslashes, control characters (NUL included), a drive letter,
//   lone surrogates, invalid UTF-8, a segment over 255 bytes or over 4096 bytes in all;
// - duplicate names (compared in Unicode NFC, so é and e+◌́ are the same name);
// - a member (or its padding) cut short, non-zero padding after a member, a missing or half
//   end-of-archive marker, anything but zeros after it (and more than maxPadding of zeros);
// - more than maxMembers members or member sizes adding up to more than maxTotalSize (checked from the
//   headers, before the content is read), pax headers larger than maxPaxSize.
// The whole archive is validated only when readTarGz resolves: onEntry may have been given members of
// an archive that turns out, further on, to be truncated or corrupt (the gzip CRC is at its very end).

import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';

export class TarError extends Error {
  /** The member involved, when there is one (as read, not to be trusted). */
  member?: string;

  constructor(message: string, member?: string) {
    super(member === undefined ? message : `${message} (member ${JSON.stringify(member)})`);
    this.name = 'TarError';
    if (member !== undefined) this.member = member;
  }
}

export interface TarEntryInfo {
  name: string;
  size: number;
  sha256: string;
}

const BLOCK = 512;
const MAX_NAME_BYTES = 4096;
const MAX_SEGMENT_BYTES = 255;
/** The largest number an 11-digit octal field holds (8 GiB - 1; also the largest mtime, in 2242). */
const MAX_OCTAL_11 = 0o77777777777;
const CHUNK = 1 << 20;
const ZEROS = Buffer.alloc(2 * BLOCK);

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** Why a member name is refused, or undefined when it is a clean relative POSIX path. */
export function memberNameProblem(name: string): string | undefined {
  if (name === '') return 'empty name';
  if (name.includes('\0')) return 'NUL in name';
  if (CONTROL.test(name)) return 'control character in name';
  if (name.includes('\\')) return 'backslash in name';
  if (name.startsWith('/')) return 'absolute name';
  if (/^[A-Za-z]:/.test(name)) return 'drive letter in name';
  if (LONE_SURROGATE.test(name)) return 'lone surrogate in name';
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `name longer than ${MAX_NAME_BYTES} bytes`;
  for (const seg of name.split('/')) {
    if (seg === '') return 'empty path segment in name';
    if (seg === '.' || seg === '..') return `'${seg}' segment in name`;
    if (Buffer.byteLength(seg) > MAX_SEGMENT_BYTES) return `path segment longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Writer

function writeOctal(b: Buffer, off: number, len: number, value: number): void {
  const digits = value.toString(8).padStart(len - 1, '0');
  if (digits.length > len - 1) throw new RangeError(`tar: ${value} does not fit ${len - 1} octal digits`);
  b.write(digits + '\0', off, len, 'latin1');
}

/** A ustar header block; `name` must be ASCII and at most 100 bytes (pax carries the rest). */
function ustarHeader(name: string, type: string, size: number, mtime: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(name, 0, 100, 'latin1');
  writeOctal(b, 100, 8, 0o644);
  writeOctal(b, 108, 8, 0); // uid
  writeOctal(b, 116, 8, 0); // gid
  writeOctal(b, 124, 12, size);
  writeOctal(b, 136, 12, mtime);
  b.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  b.write(type, 156, 1, 'latin1');
  b.write('ustar\0', 257, 6, 'latin1');
  b.write('00', 263, 2, 'latin1');
  writeOctal(b, 329, 8, 0); // devmajor
  writeOctal(b, 337, 8, 0); // devminor
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

/** One pax record, "<length> key=value\n", where the length counts its own digits. */
export function paxRecord(key: string, value: string): string {
  const payload = ` ${key}=${value}\n`;
  const n = Buffer.byteLength(payload);
  let len = n + String(n).length;
  if (String(len).length + n !== len) len = n + String(len).length;
  return `${len}${payload}`;
}

/** What to put in the ustar name field when pax carries the real name: an ASCII stand-in that is itself valid. */
function fallbackName(name: string): string {
  let ascii = name.replace(/[^\x20-\x7e]/gu, '_');
  if (ascii.length > 100) ascii = ascii.slice(-100).replace(/^\/+/, '');
  if (memberNameProblem(ascii) === undefined) return ascii;
  return `pax-${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * Writes a .tar.gz. create() makes the file exclusively (it refuses to replace an existing file: a
 * bundle never overwrites anything); add() and addFile() append regular files (mode 0644, uid/gid 0)
 * and resolve with the member's size and SHA-256 (for the manifest); calls are queued, so they may
 * overlap. close() writes the end-of-archive marker, flushes gzip and fsyncs and closes the file; the
 * archive is complete when it resolves. A failure while writing a member (a source file that shrinks,
 * a full disk) breaks the writer: later calls reject; abort() closes it and deletes the file.
 */
export class TarGzWriter {
  readonly path: string;
  private readonly gzip: Gzip;
  private readonly done: Promise<void>;
  private readonly broken = new AbortController();
  private readonly names = new Set<string>();
  private tail: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;
  private state: 'open' | 'closing' | 'closed' = 'open';

  private constructor(path: string, gzip: Gzip, done: Promise<void>) {
    this.path = path;
    this.gzip = gzip;
    this.done = done.catch((e: unknown) => this.fail(e));
  }

  static async create(path: string, opts: { level?: number } = {}): Promise<TarGzWriter> {
    const out = createWriteStream(path, { flags: 'wx', flush: true });
    await once(out, 'open');
    const gzip = createGzip({ level: opts.level ?? 6 });
    return new TarGzWriter(path, gzip, pipeline(gzip, out));
  }

  /** A regular file from memory. `mtimeMs` defaults to now. */
  add(name: string, data: Buffer | string, mtimeMs: number = Date.now()): Promise<TarEntryInfo> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    return this.enqueue(name, mtimeMs, async () => {
      const sha256 = createHash('sha256').update(buf).digest('hex');
      await this.entry(name, buf.length, mtimeMs, async () => {
        // Large buffers in slices, so backpressure applies.
        for (let off = 0; off < buf.length; off += CHUNK) await this.write(buf.subarray(off, off + CHUNK));
      });
      return { name, size: buf.length, sha256 };
    });
  }

  /**
   * A regular file from disk, streamed in 1 MiB reads (memory does not grow with its size); its mtime
   * is kept. The size is taken when it is opened: a file that grows meanwhile is cut there; one that
   * shrinks breaks the archive (its header promised more) and so the writer.
   */
  addFile(name: string, sourcePath: string): Promise<TarEntryInfo> {
    return this.enqueue(name, 0, async () => {
      const fh = await open(sourcePath, 'r');
      try {
        const st = await fh.stat();
        if (!st.isFile()) throw new TarError(`${sourcePath} is not a regular file`, name);
        const size = st.size;
        const hash = createHash('sha256');
        await this.entry(name, size, Math.max(0, st.mtimeMs), async () => {
          for (let pos = 0; pos < size;) {
            const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - pos)); // fresh: gzip may hold on to it
            const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
            if (bytesRead === 0) throw new TarError(`${sourcePath} shrank from ${size} to ${pos} bytes while being archived`, name);
            const chunk = buf.subarray(0, bytesRead);
            hash.update(chunk);
            await this.write(chunk);
            pos += bytesRead;
          }
        });
        return { name, size, sha256: hash.digest('hex') };
      } finally {
        await fh.close();
      }
    });
  }

  /** Two zero blocks, flush gzip, fsync and close the file. */
  async close(): Promise<void> {
    if (this.state !== 'open') throw new Error('TarGzWriter: already closed');
    this.state = 'closing';
    await this.tail;
    try {
      if (this.failure) {
        this.gzip.destroy(); // let go of the file; abort() deletes it
        await this.done;
        throw this.failure;
      }
      await this.write(ZEROS);
      this.gzip.end();
      await this.done;
      if (this.failure) throw this.failure;
    } finally {
      this.state = 'closed';
    }
  }

  /** Stop writing and delete the (incomplete) file. */
  async abort(): Promise<void> {
    this.state = 'closed';
    this.fail(new Error('TarGzWriter: aborted'));
    this.gzip.destroy();
    await this.done;
    await unlink(this.path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  private fail(e: unknown): void {
    this.failure ??= e instanceof Error ? e : new Error(String(e));
    this.broken.abort();
  }

  /** Check the name and mtime now (a refusal leaves the writer usable), then queue the work. */
  private enqueue(name: string, mtimeMs: number, work: () => Promise<TarEntryInfo>): Promise<TarEntryInfo> {
    if (this.state !== 'open') return Promise.reject(new Error('TarGzWriter: closed'));
    const problem = memberNameProblem(name);
    if (problem !== undefined) return Promise.reject(new TarError(`refusing member name: ${problem}`, name));
    const key = name.normalize('NFC');
    if (this.names.has(key)) return Promise.reject(new TarError('duplicate member name', name));
    if (!Number.isFinite(mtimeMs) || mtimeMs < 0 || Math.floor(mtimeMs / 1000) > MAX_OCTAL_11) {
      return Promise.reject(new RangeError(`tar: mtime ${mtimeMs} out of range`));
    }
    this.names.add(key);
    const p = this.tail.then(() => {
      if (this.failure) throw this.failure;
      return work();
    });
    // A member that failed before writing anything (its source could not be opened) gives its name back.
    this.tail = p.catch(() => {
      if (!this.failure) this.names.delete(key);
    });
    return p;
  }

  /** Header(s), content (written by `body`), padding. A failure past the header breaks the writer. */
  private async entry(name: string, size: number, mtimeMs: number, body: () => Promise<void>): Promise<void> {
    const mtime = Math.floor(mtimeMs / 1000);
    let records = '';
    const ascii = /^[\x20-\x7e]*$/.test(name);
    if (!ascii || name.length > 100) records += paxRecord('path', name);
    if (size > MAX_OCTAL_11) records += paxRecord('size', String(size));
    const blocks: Buffer[] = [];
    const headerName = records.includes(' path=') ? fallbackName(name) : name;
    if (records !== '') {
      const pax = Buffer.from(records, 'utf8');
      blocks.push(ustarHeader(`PaxHeaders/${headerName}`.slice(0, 100), 'x', pax.length, mtime), pax, Buffer.alloc(padding(pax.length)));
    }
    blocks.push(ustarHeader(headerName, '0', size > MAX_OCTAL_11 ? 0 : size, mtime));
    try {
      await this.write(Buffer.concat(blocks));
      await body();
      await this.write(Buffer.alloc(padding(size)));
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  /** Write with backpressure; rejects once the writer is broken. */
  private async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    if (!this.gzip.write(chunk)) {
      try {
        await once(this.gzip, 'drain', { signal: this.broken.signal });
      } catch (e) {
        throw this.failure ?? e;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Reader

export interface ReadTarOptions {
  /** Most members (files and directories); default 200,000. */
  maxMembers?: number;
  /** Most bytes in all members together; default 64 GiB. */
  maxTotalSize?: number;
  /** Largest pax extended header; default 1 MiB. */
  maxPaxSize?: number;
  /** Most zero bytes after the end-of-archive marker (tar's record padding); default 8 MiB. */
  maxPadding?: number;
}

/** What onEntry is given about a member. */
export interface TarEntry {
  name: string;
  size: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeName(b: Buffer, what: string): string {
  try {
    return utf8.decode(b);
  } catch {
    throw new TarError(`${what} is not valid UTF-8`);
  }
}

/** A NUL-terminated field: the bytes before the NUL; anything but NULs after it is refused. */
function cString(block: Buffer, off: number, len: number, what: string): Buffer {
  const field = block.subarray(off, off + len);
  const nul = field.indexOf(0);
  if (nul === -1) return field;
  for (let i = nul + 1; i < field.length; i++) if (field[i] !== 0) throw new TarError(`NUL in ${what}`);
  return field.subarray(0, nul);
}

/** An octal numeric field (leading spaces, digits, then NULs/spaces), or GNU base-256 (0x80 first). */
function numeric(block: Buffer, off: number, len: number, what: string): number {
  const field = block.subarray(off, off + len);
  if (field[0] === 0x80) {
    let v = 0;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i]!;
    if (!Number.isSafeInteger(v)) throw new TarError(`${what} too large`);
    return v;
  }
  let i = 0;
  while (i < field.length && field[i] === 0x20) i++;
  const start = i;
  while (i < field.length && field[i]! >= 0x30 && field[i]! <= 0x37) i++;
  if (i === start) throw new TarError(`bad numeric field: ${what}`);
  for (let j = i; j < field.length; j++) if (field[j] !== 0 && field[j] !== 0x20) throw new TarError(`bad numeric field: ${what}`);
  return parseInt(field.toString('latin1', start, i), 8);
}

const TYPE_NAMES: Record<string, string> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '6': 'FIFO',
  '7': 'contiguous file',
  g: 'global pax header',
  L: 'GNU long name',
  K: 'GNU long link name',
  S: 'GNU sparse file',
  V: 'volume label',
  M: 'multi-volume continuation',
};

interface Header {
  type: string;
  /** prefix/name from the ustar fields */
  name: string;
  size: number;
}

const lenientUtf8 = new TextDecoder('utf-8');

/**
 * Parse and check one header block. `strictName`: the name must be valid UTF-8 (it is the member's
 * name); otherwise (a pax header's own name, or the stand-in name of a member whose real name is in pax
 * and that tar may have cut mid-character) it is decoded leniently.
 */
function parseHeader(block: Buffer, offset: number, strictName: boolean): Header {
  // The name first (as well as it decodes), so that even a bad checksum can say which member it is about.
  let name: string | undefined;
  try {
    name = lenientUtf8.decode(cString(block, 0, 100, 'name'));
  } catch {
    name = undefined;
  }
  const stored = numeric(block, 148, 8, 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  if (sum !== stored) throw new TarError(`header checksum mismatch at offset ${offset}`, name);
  const magic = block.toString('latin1', 257, 265);
  const posix = magic === 'ustar\x0000';
  if (!posix && magic !== 'ustar  \0') throw new TarError(`not a ustar header at offset ${offset}`, name);
  const type = String.fromCharCode(block[156]!);
  const decode = (b: Buffer) => (strictName ? decodeName(b, 'member name') : lenientUtf8.decode(b));
  try {
    name = decode(cString(block, 0, 100, 'member name'));
    // GNU headers use the prefix field for other things; only POSIX ustar has a prefix.
    const prefix = posix ? decode(cString(block, 345, 155, 'member name')) : '';
    if (prefix !== '') name = `${prefix}/${name}`;
    return { type, name, size: numeric(block, 124, 12, 'size') };
  } catch (e) {
    throw e instanceof TarError && e.member === undefined && name !== undefined ? new TarError(e.message, name) : e;
  }
}

/** pax extended header records, "<len> key=value\n" each, strictly. */
function parsePax(b: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < b.length;) {
    let j = i;
    while (j < b.length && j - i < 12 && b[j]! >= 0x30 && b[j]! <= 0x39) j++;
    const len = Number(b.toString('latin1', i, j));
    if (j === i || b[j] !== 0x20 || !(len > j - i + 1) || i + len > b.length || b[i + len - 1] !== 0x0a) {
      throw new TarError(`malformed pax record at byte ${i}`);
    }
    const rec = b.subarray(j + 1, i + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw new TarError(`malformed pax record at byte ${i}`);
    const key = decodeName(rec.subarray(0, eq), 'pax key');
    if (out.has(key)) throw new TarError(`duplicate pax record ${JSON.stringify(key)}`);
    out.set(key, decodeName(rec.subarray(eq + 1), `pax ${key}`));
    i += len;
  }
  return out;
}

interface PaxOverrides {
  path?: string;
  size?: number;
}

function paxOverrides(records: Map<string, string>): PaxOverrides {
  const o: PaxOverrides = {};
  for (const [key, value] of records) {
    if (key === 'path') {
      if (value === '') throw new TarError('empty pax path');
      o.path = value;
    } else if (key === 'size') {
      if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) throw new TarError('bad pax size');
      o.size = Number(value);
    } else if (key.startsWith('GNU.sparse.')) {
      throw new TarError('unsupported member type: GNU sparse file (pax)');
    } else if (key === 'hdrcharset' && value !== 'ISO-IR 10646 2000 UTF-8') {
      throw new TarError(`unsupported pax hdrcharset ${JSON.stringify(value)}`);
    }
    // mtime, atime, ctime, uid, gid, uname, gname, comment, linkpath, vendor records: not needed.
  }
  return o;
}

/**
 * A zlib error as a TarError. The file's own gzip header was checked before reading (magic, method,
 * flags), and Node's gunzip skips zero bytes after a gzip member but reads anything else as the header
 * of a next member: so a header error can only be about bytes after the (first) gzip stream.
 */
function gzipError(e: unknown, member: string | undefined): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'Z_BUF_ERROR' || /unexpected end of file/.test(err?.message ?? '')) {
    return new TarError('truncated gzip stream (unexpected end of file)', member);
  }
  if (err?.code === 'Z_DATA_ERROR') {
    if (/incorrect header check|unknown compression method|unknown header flags/.test(err.message)) {
      return new TarError(`trailing data after the gzip stream (${err.message})`);
    }
    if (/incorrect data check/.test(err.message)) return new TarError('corrupt gzip stream: CRC mismatch', member);
    if (/incorrect length check/.test(err.message)) return new TarError('corrupt gzip stream: length mismatch', member);
    return new TarError(`corrupt gzip stream: ${err.message}`, member);
  }
  return e;
}

/** Pull-based access to the decompressed bytes. */
class Source {
  private readonly it: AsyncIterator<Buffer>;
  private buf: Buffer = Buffer.alloc(0);
  private off = 0;
  /** Decompressed bytes consumed so far. */
  position = 0;
  member: string | undefined;

  constructor(stream: AsyncIterable<Buffer>) {
    this.it = stream[Symbol.asyncIterator]();
  }

  /** Whether there is a byte to read (pulls the next chunk when needed). */
  private async fill(): Promise<boolean> {
    while (this.off >= this.buf.length) {
      let r: IteratorResult<Buffer>;
      try {
        r = await this.it.next();
      } catch (e) {
        throw gzipError(e, this.member);
      }
      if (r.done) return false;
      this.buf = r.value;
      this.off = 0;
    }
    return true;
  }

  /** Up to `max` bytes (at least one), or null at the end. */
  async some(max: number): Promise<Buffer | null> {
    if (!(await this.fill())) return null;
    const n = Math.min(max, this.buf.length - this.off);
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    this.position += n;
    return out;
  }

  /** Exactly n bytes; fewer only at the end (null when none). */
  async exact(n: number): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const b = await this.some(n - got);
      if (b === null) break;
      parts.push(b);
      got += b.length;
    }
    if (got === 0 && n > 0) return null;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, got);
  }
}

const isZero = (b: Buffer) => b.every((x) => x === 0);

/**
 * Hand one member's content to onEntry as a Readable, pulled from the source as the consumer reads
 * (memory stays bounded: at most one decompressed chunk beyond the stream's 64 KiB buffer). When
 * onEntry settles, whatever it did not read is read and discarded (still hashed); an error from
 * onEntry rejects with that error; an error of the archive destroys the stream with it.
 */
async function deliver(src: Source, entry: TarEntry, hash: Hash, onEntry: OnEntry): Promise<void> {
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const content = new Readable({ highWaterMark: 64 * 1024, read: wakeUp });
  content.on('error', () => undefined); // the consumer sees errors through its own listeners
  content.on('close', wakeUp);
  let settled = false;
  let failed = false;
  let failure: unknown;
  const done = Promise.resolve()
    .then(() => onEntry({ ...entry }, content))
    .then(
      () => undefined,
      (e: unknown) => {
        failed = true;
        failure = e;
      },
    )
    .finally(() => {
      settled = true;
      wakeUp();
    });
  try {
    let remaining = entry.size;
    while (remaining > 0) {
      const chunk = await src.some(Math.min(remaining, CHUNK));
      if (chunk === null) throw new TarError(`truncated: the member has ${entry.size - remaining} of its ${entry.size} bytes`, entry.name);
      hash.update(chunk);
      remaining -= chunk.length;
      if (failed) throw failure;
      if (!settled && !content.destroyed && !content.push(chunk)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (settled || content.destroyed) wakeUp();
        });
      }
    }
    if (!settled && !content.destroyed) content.push(null);
    await done;
    if (failed) throw failure;
  } catch (e) {
    if (!content.destroyed) content.destroy(e instanceof Error ? e : new Error(String(e)));
    await done;
    throw failed ? failure : e;
  } finally {
    if (!content.destroyed) content.destroy();
  }
}

export type OnEntry = (entry: TarEntry, content: Readable) => Promise<void> | void;

/**
 * Read every member of a .tar.gz in order, validating as it goes (see the top of the file), and list
 * the regular files with their SHA-256. With onEntry, each regular file's content is also given to it
 * as a Readable stream, one member at a time: the next member is read only after onEntry's promise
 * settles, and the stream must be consumed before then (what is left is discarded). Errors about the
 * archive are TarErrors; file system errors and onEntry's own errors come through as they are.
 */
export async function readTarGz(path: string, onEntry?: OnEntry, opts: ReadTarOptions = {}): Promise<TarEntryInfo[]> {
  const maxMembers = opts.maxMembers ?? 200_000;
  const maxTotalSize = opts.maxTotalSize ?? 64 * 2 ** 30;
  const maxPaxSize = opts.maxPaxSize ?? 1 << 20;
  const maxPadding = opts.maxPadding ?? 8 << 20;

  const fh = await open(path, 'r');
  let file: Readable;
  try {
    if (!(await fh.stat()).isFile()) throw new TarError('not a regular file');
    const head = Buffer.alloc(BLOCK);
    const { bytesRead } = await fh.read(head, 0, BLOCK, 0);
    if (bytesRead === 0) throw new TarError('not a gzip file (empty)');
    if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5 || head[2] === 7)) {
      throw new TarError('not a gzip file: it looks like a zip archive');
    }
    if (head[0] !== 0x1f || head[1] !== 0x8b) {
      if (bytesRead === BLOCK && head.toString('latin1', 257, 262) === 'ustar')
        throw new TarError('not a gzip file: it looks like an uncompressed tar archive');
      throw new TarError('not a gzip file');
    }
    // Method deflate, no reserved flags (so that later header errors are about what follows the stream).
    if (bytesRead >= 4 && (head[2] !== 8 || (head[3]! & 0xe0) !== 0)) throw new TarError('corrupt gzip header (unknown method or flags)');
    file = fh.createReadStream({ start: 0, highWaterMark: CHUNK }); // closes fh when done
  } catch (e) {
    await fh.close();
    throw e;
  }

  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  let compressed = 0;
  file.on('data', (c: Buffer) => (compressed += c.length));
  file.on('error', (e) => gunzip.destroy(e));
  file.pipe(gunzip);
  const src = new Source(gunzip);

  const out: TarEntryInfo[] = [];
  const names = new Set<string>();
  let members = 0;
  let total = 0;
  let pax: PaxOverrides | undefined;
  const truncated = (what: string) => new TarError(`truncated: the archive ends ${what}`);

  try {
    for (;;) {
      const offset = src.position;
      const block = await src.exact(BLOCK);
      if (block === null) throw truncated(pax ? 'after a pax header, before its member' : 'without an end-of-archive marker');
      if (block.length < BLOCK) throw truncated('inside a header');

      if (isZero(block)) {
        const second = await src.exact(BLOCK);
        if (second === null || second.length < BLOCK) throw truncated('inside the end-of-archive marker');
        if (!isZero(second)) throw new TarError(`a lone zero block at offset ${offset} (corrupt archive)`);
        if (pax) throw new TarError('a pax header is not followed by a member');
        break;
      }

      const h = parseHeader(block, offset, pax?.path === undefined && block[156] !== 0x78 /* x */);
      if (h.type === 'x') {
        if (pax) throw new TarError('two pax headers in a row', h.name);
        if (h.size > maxPaxSize) throw new TarError(`pax header larger than ${maxPaxSize} bytes`, h.name);
        const body = h.size === 0 ? Buffer.alloc(0) : await src.exact(h.size);
        if (body === null || body.length < h.size) throw truncated('inside a pax header');
        await skipPadding(src, h.size, h.name);
        pax = paxOverrides(parsePax(body));
        continue;
      }

      const name = pax?.path ?? h.name;
      const typeName = TYPE_NAMES[h.type];
      if (typeName !== undefined) throw new TarError(`unsupported member type: ${typeName}`, name);
      const isDir = h.type === '5';
      if (!isDir && h.type !== '0' && h.type !== '\0') throw new TarError(`unsupported member type ${JSON.stringify(h.type)}`, name);
      for (const n of pax?.path !== undefined && h.name !== '' ? [name, h.name] : [name]) {
        const problem = memberNameProblem(isDir && n.endsWith('/') ? n.slice(0, -1) : n);
        if (problem !== undefined) throw new TarError(`refusing member name: ${problem}`, n);
      }
      const key = (isDir && name.endsWith('/') ? name.slice(0, -1) : name).normalize('NFC');
      if (names.has(key)) throw new TarError('duplicate member name', name);
      names.add(key);
      if (++members > maxMembers) throw new TarError(`more than ${maxMembers} members`, name);
      const size = pax?.size ?? h.size;
      pax = undefined;
      total += size;
      if (total > maxTotalSize) throw new TarError(`members larger than ${maxTotalSize} bytes in all`, name);
      if (isDir) {
        if (size !== 0) throw new TarError('a directory with content', name);
        continue;
      }

      src.member = name;
      const hash = createHash('sha256');
      if (onEntry) await deliver(src, { name, size }, hash, onEntry);
      else {
        for (let remaining = size; remaining > 0;) {
          const chunk = await src.some(Math.min(remaining, CHUNK));
          if (chunk === null) throw new TarError(`truncated: the member has ${size - remaining} of its ${size} bytes`, name);
          hash.update(chunk);
          remaining -= chunk.length;
        }
      }
      await skipPadding(src, size, name);
      src.member = undefined;
      out.push({ name, size, sha256: hash.digest('hex') });
    }

    // After the marker: zeros only (tar pads to whole records), then the end of the gzip stream, which
    // must have consumed the whole file.
    for (let pad = 0; ;) {
      const chunk = await src.some(CHUNK);
      if (chunk === null) break;
      if (!isZero(chunk)) throw new TarError('data after the end-of-archive marker');
      pad += chunk.length;
      if (pad > maxPadding) throw new TarError(`more than ${maxPadding} bytes of padding after the end-of-archive marker`);
    }
    if (gunzip.bytesWritten !== compressed)
      throw new TarError(`trailing data after the gzip stream (${compressed - gunzip.bytesWritten} bytes)`);
    return out;
  } finally {
    gunzip.destroy();
    file.destroy();
  }
}

async function skipPadding(src: Source, size: number, member: string): Promise<void> {
  const n = padding(size);
  if (n === 0) return;
  const pad = await src.exact(n);
  if (pad === null || pad.length < n) throw new TarError('truncated: the archive ends inside the padding after a member', member);
  if (!isZero(pad)) throw new TarError('non-zero padding after a member', member);
}
