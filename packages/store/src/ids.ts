// Run ids are UUIDs. Grid cells get a name-based one (sha256 of grid id + cell id, laid out as a
// version-8 UUID), so a cell has the same run id in every store and `ugp db merge` can match it.
import { randomUUID } from 'node:crypto';
import { sha256 } from '@ugpnet/core';

export function newRunId(): string {
  return randomUUID();
}

export function cellRunId(gridId: string, cellId: string): string {
  const h = sha256(`ugpnet-grid-cell\0${gridId}\0${cellId}`).slice(0, 32).split('');
  h[12] = '8'; // version 8 (custom)
  h[16] = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16); // RFC 4122 variant
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
