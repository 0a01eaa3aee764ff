// File access shared by the readers and writers: missing or unwritable paths become
// UserErrors that name the file, and writes are atomic (temp file next to the target, then
// rename), so a crash or a full disk never leaves a half-written file under the real name.
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { UserError } from '@ugpnet/core';

const USER_FS_ERRORS = new Set([
  'ENOENT',
  'EACCES',
  'EPERM',
  'ENOTDIR',
  'EISDIR',
  'EROFS',
  'ENOSPC',
  'EDQUOT',
]);

function asUserError(error: unknown, action: string, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && USER_FS_ERRORS.has(code)) {
    const why = code === 'ENOENT' ? 'no such file or directory' : (error as Error).message;
    return new UserError(`cannot ${action} ${path}: ${why}`);
  }
  return error;
}

/** Reads a whole file; a missing or unreadable file is a UserError naming it. */
export function readFileBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw asUserError(error, 'read', path);
  }
}

/** The first `length` bytes of a file (fewer if it is shorter). */
export function readFileHead(path: string, length: number): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = new Uint8Array(length);
    const n = readSync(fd, head, 0, length, 0);
    return head.subarray(0, n);
  } catch (error) {
    throw asUserError(error, 'read', path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

let counter = 0;

/** Writes `chunks` to `path` atomically (same-directory temp file + rename). */
export function writeFileAtomic(path: string, chunks: Uint8Array[]): void {
  const temp = `${path}.tmp-${process.pid}-${counter++}`;
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'w');
    for (const chunk of chunks) {
      let written = 0;
      while (written < chunk.byteLength) written += writeSync(fd, chunk, written);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw asUserError(error, 'write', path);
  }
}
