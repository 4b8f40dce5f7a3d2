/**
 * The hostile set for the memory test: packs an attacker can upload cheaply that cost as much
 * as possible to check, plus valid packs that decode the most pixels the limits allow. Each pack
 * is built only when asked for, so they are never all in memory at once.
 */
import { MAX_ZIP_BYTES } from '../src/pack/limits.ts';
import type { PackErrorCode } from '../src/pack/validate-pack.ts';
import {
  ELF_HEADER,
  SVG_WITH_SCRIPT,
  animatedGif,
  buildZip,
  deflatedZeros,
  endOfCentralDirectory,
  flatPng,
  pixelFloodJpeg,
  pixelFloodPng,
  png,
  pseudoRandomBytes,
  tinyGif,
} from './fixtures.ts';

const MB = 1024 * 1024;

/** Shared with validate-worker.ts, which serves only when started with this flag. */
export const WORKER_FLAG = '--serve-pack-validation';

/** What validate-worker.ts answers for each pack. */
export interface WorkerReply {
  codes: PackErrorCode[];
  peakRss: number;
}

export interface HostileCase {
  label: string;
  build: () => Promise<Buffer>;
  /** The code every error of this case must have; null for a pack that must be accepted. */
  code: PackErrorCode | null;
}

const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

export const HOSTILE_CASES: HostileCase[] = [
  { label: '15 MB of random bytes', code: 'NOT_A_ZIP', build: async () => pseudoRandomBytes(MAX_ZIP_BYTES) },
  { label: '15 MB + 1', code: 'ZIP_TOO_LARGE', build: async () => Buffer.alloc(MAX_ZIP_BYTES + 1) },
  {
    label: 'truncated 15 MB zip',
    code: 'CORRUPT_ZIP',
    build: async () => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), pseudoRandomBytes(MAX_ZIP_BYTES - 4)]),
  },
  {
    label: 'end record claiming 65535 entries',
    code: 'TOO_MANY_ENTRIES',
    build: async () => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), endOfCentralDirectory(0xffff, 0, 0)]),
  },
  {
    label: '51 emoji',
    code: 'TOO_MANY_ENTRIES',
    build: async () => {
      const data = await png();
      return buildZip(times(51, (i) => ({ name: `e-${i}.png`, data })));
    },
  },
  {
    label: '50 entries declaring 50 KB, each inflating to 10 MB',
    code: 'ZIP_BOMB',
    build: async () => {
      const compressed = await deflatedZeros(10 * MB);
      return buildZip(times(50, (i) => ({ name: `bomb-${i}.png`, compressed, declaredSize: 51_200 })));
    },
  },
  {
    label: 'honest 200 MB bomb and 4 GB claims',
    code: 'ZIP_BOMB',
    build: async () => {
      const honest = await deflatedZeros(200 * MB);
      const tenMegabytes = await deflatedZeros(10 * MB);
      return buildZip([
        { name: 'honest.gif', compressed: honest, declaredSize: 200 * MB },
        ...times(49, (i) => ({ name: `claim-${i}.gif`, compressed: tenMegabytes, declaredSize: 0xfffffffe })),
      ]);
    },
  },
  {
    label: '50 pixel-flood PNGs (20000×20000)',
    code: 'IMAGE_DIMENSIONS_TOO_LARGE',
    build: async () => {
      const data = await pixelFloodPng();
      return buildZip(times(50, (i) => ({ name: `flood-${i}.png`, data })));
    },
  },
  {
    label: 'pixel-flood JPEGs and GIFs',
    code: 'IMAGE_DIMENSIONS_TOO_LARGE',
    build: async () => {
      const jpeg = await pixelFloodJpeg();
      const gif = tinyGif(65535, 65535);
      return buildZip([
        ...times(25, (i) => ({ name: `jpeg-${i}.jpg`, data: jpeg })),
        ...times(25, (i) => ({ name: `gif-${i}.gif`, data: gif })),
      ]);
    },
  },
  {
    label: '50 nested zips',
    code: 'NESTED_ZIP',
    build: async () => {
      const inner = buildZip([{ name: 'x.png', data: await png() }]);
      return buildZip(times(50, (i) => ({ name: `inner-${i}.zip`, data: inner })));
    },
  },
  {
    label: 'executables and SVG scripts named .png',
    code: 'TYPE_MISMATCH',
    build: async () =>
      buildZip(times(50, (i) => ({ name: `x-${i}.png`, data: i % 2 ? ELF_HEADER : SVG_WITH_SCRIPT }))),
  },
  // Valid, but as expensive to decode as the limits allow: every image costs the full pixel budget.
  {
    label: '50 PNGs of 4096×4096',
    code: null,
    build: async () => {
      const data = await flatPng(4096, 4096);
      return buildZip(times(50, (i) => ({ name: `big-${i}.png`, data })));
    },
  },
  {
    label: '5 animated GIFs of 300 frames',
    code: null,
    build: async () => {
      const data = await animatedGif(300, 200, 200);
      return buildZip(times(5, (i) => ({ name: `anim-${i}.gif`, data })));
    },
  },
];
