// Safe reader for PyTorch checkpoints in torch.save's zip format (PyTorch >= 1.6):
// `<prefix>/data.pkl` (a pickle) plus one raw storage per tensor in `<prefix>/data/<key>`.
// The pickle runs in our own small VM (pickle.ts) with only the globals that
// torch.load(weights_only=True) needs for state dicts; anything else is refused before it
// could mean anything, and nothing is ever executed.
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { UserError } from '@ugpnet/core';
import type { TorchTensor } from '../nn/module.js';
import { hostOrderCopy, shapeSize } from './bytes.js';
import { bfloat16ToFloat32, halfToFloat32 } from './float16.js';
import { readFileHead } from './files.js';
import { unpickle, type UnpicklerHooks } from './pickle.js';

export type PthFloatDtype = 'float32' | 'float64' | 'float16' | 'bfloat16';
export type PthIntDtype = 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';
export type PthDtype = PthFloatDtype | PthIntDtype;

/**
 * A tensor from a checkpoint, contiguous (row-major) in PyTorch's layout. Float tensors of
 * every precision are widened/narrowed to float32 (`dtype` keeps the stored one); integer
 * tensors keep exact values: int64 as BigInt64Array, bool as 0/1 in a Uint8Array.
 */
export class PthTensor {
  constructor(
    readonly dtype: PthDtype,
    readonly shape: number[],
    public data: Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array,
    public requiresGrad = false,
  ) {}

  get isFloat(): boolean {
    return this.data instanceof Float32Array;
  }

  private float32?: TorchTensor;

  /**
   * The tensor as float32 (integer values converted once, so a tensor listed under many names
   * costs one copy; float data shared, not copied).
   */
  toFloat32(): TorchTensor {
    if (this.data instanceof Float32Array) return { shape: this.shape, data: this.data };
    this.float32 ??= {
      shape: this.shape,
      data:
        this.data instanceof BigInt64Array
          ? Float32Array.from(this.data, (v) => Number(v))
          : Float32Array.from(this.data),
    };
    return this.float32;
  }
}

export type PthKey = string | number | bigint | boolean | null;
/** A Python value from a checkpoint: dicts (and OrderedDicts) become Maps, tuples and lists arrays. */
export type PthValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PthTensor
  | PthValue[]
  | Map<PthKey, PthValue>;

interface StorageType {
  dtype: PthDtype;
  itemSize: number;
}

const STORAGE_TYPES: Record<string, StorageType> = {
  FloatStorage: { dtype: 'float32', itemSize: 4 },
  DoubleStorage: { dtype: 'float64', itemSize: 8 },
  HalfStorage: { dtype: 'float16', itemSize: 2 },
  BFloat16Storage: { dtype: 'bfloat16', itemSize: 2 },
  LongStorage: { dtype: 'int64', itemSize: 8 },
  IntStorage: { dtype: 'int32', itemSize: 4 },
  ShortStorage: { dtype: 'int16', itemSize: 2 },
  CharStorage: { dtype: 'int8', itemSize: 1 },
  ByteStorage: { dtype: 'uint8', itemSize: 1 },
  BoolStorage: { dtype: 'bool', itemSize: 1 },
  UntypedStorage: { dtype: 'uint8', itemSize: 1 },
};

// torch.float32 and friends may appear as plain values (e.g. in metadata); they are inert.
const TORCH_DTYPE_NAMES = new Set([
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'int64',
  'int32',
  'int16',
  'int8',
  'uint8',
  'bool',
  'float',
  'double',
  'half',
  'long',
  'int',
  'short',
]);

/** The callables a weights-only state dict may use, as inert tokens for the VM. */
class TorchCallable {
  constructor(
    readonly kind: 'ordered_dict' | 'rebuild_tensor' | 'rebuild_parameter' | 'device' | 'size' | 'encode',
    readonly qualifiedName: string,
  ) {}
}

class StorageClass {
  constructor(
    readonly type: StorageType,
    readonly qualifiedName: string,
  ) {}
}

class StorageRef {
  constructor(
    readonly type: StorageType,
    readonly key: string,
    readonly numel: number,
  ) {}
}

/** A tensor whose storage bytes are read after the pickle has run. */
interface PendingTensor {
  tensor: PthTensor;
  storage: StorageRef;
  offset: number;
  stride: number[];
}

const ALLOWED_CALLABLES: Record<string, TorchCallable['kind']> = {
  'collections.OrderedDict': 'ordered_dict',
  'torch._utils._rebuild_tensor_v2': 'rebuild_tensor',
  'torch._utils._rebuild_parameter': 'rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state': 'rebuild_parameter',
  'torch.device': 'device',
  'torch.Size': 'size',
  '_codecs.encode': 'encode',
};

const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

// Limits that keep a small hostile file from costing much more than its own size, set far above
// what real checkpoints need so that files of several GB still load:
/** torch.save stores entries uncompressed; a re-zipped float checkpoint deflates to ~0.9×. */
const MAX_EXPANSION = 16;
/** Tied weights let a few tensors view one storage; more copies than this is amplification. */
const MAX_VIEWS_PER_STORAGE_BYTE = 4;
/** A state dict nests a few levels (file → section → params → …). */
const MAX_DICT_DEPTH = 64;
/** Tensor rank (PyTorch itself allows at most 64 dimensions). */
const MAX_RANK = 64;

function describe(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof TorchCallable || value instanceof StorageClass) return value.qualifiedName;
  if (value instanceof Map) return 'dict';
  if (Array.isArray(value)) return 'tuple';
  if (value instanceof PthTensor) return 'tensor';
  return typeof value;
}

/** The torch-specific half of the VM: allowed globals, tensor rebuilds, storage ids. */
function torchHooks(source: string, pending: PendingTensor[], pickleBytes: number): UnpicklerHooks {
  const storages = new Map<string, StorageRef>();
  const refuse = (what: string): never => {
    throw new UserError(`${source}: refused to load: ${what}; nothing was executed`);
  };
  // Calls may copy values the pickle reuses through its memo; copying more elements than the
  // pickle has bytes can only be an amplification attack (a real one copies each value once).
  let copied = 0;
  const charge = (elements: number): void => {
    copied += elements;
    if (copied > pickleBytes + 1024) {
      refuse(`the pickle copies more values than its ${pickleBytes} bytes could hold (memo reuse)`);
    }
  };

  const rebuildTensor = (args: unknown[]): PthTensor => {
    const [storage, offset, size, stride, requiresGrad] = args;
    if (args.length < 4 || !(storage instanceof StorageRef)) {
      return refuse('torch._utils._rebuild_tensor_v2 called without a storage');
    }
    if (!isIndex(offset) || !Array.isArray(size) || !Array.isArray(stride)) {
      return refuse('torch._utils._rebuild_tensor_v2 called with a malformed offset, size or stride');
    }
    if (size.length > MAX_RANK) return refuse(`a tensor of rank ${size.length} (at most ${MAX_RANK})`);
    if (!size.every(isIndex) || !stride.every(isIndex) || size.length !== stride.length) {
      return refuse(
        `tensor size (${size}) / stride (${stride}) are not matching lists of non-negative integers`,
      );
    }
    charge(size.length);
    const numel = shapeSize(size);
    // Zero or overlapping strides would let a few stored elements expand into a huge tensor;
    // a state dict's tensors never overlap themselves, so a view larger than its storage is refused.
    if (size.some((d: number, i: number) => d > 1 && stride[i] === 0)) {
      return refuse(`a tensor of size [${size}] with a zero stride ([${stride}]), which repeats its storage`);
    }
    if (!Number.isSafeInteger(numel) || numel > storage.numel) {
      return refuse(
        `a tensor of size [${size}] (stride [${stride}]) has more elements than its storage ${storage.key} ` +
          `holds (${storage.numel})`,
      );
    }
    const last = offset + size.reduce((n: number, d: number, i: number) => n + (d - 1) * stride[i]!, 0);
    if (numel > 0 && last >= storage.numel) {
      throw new UserError(
        `${source}: corrupt checkpoint: a tensor of size [${size}] at offset ${offset} with stride ` +
          `[${stride}] reaches element ${last} of storage ${storage.key}, which holds ${storage.numel}`,
      );
    }
    const tensor = new PthTensor(storage.type.dtype, [...size], new Float32Array(0), requiresGrad === true);
    pending.push({ tensor, storage, offset, stride: [...stride] });
    return tensor;
  };

  return {
    resolveGlobal(module, name) {
      const qualified = `${module}.${name}`;
      const kind = ALLOWED_CALLABLES[qualified];
      if (kind) return new TorchCallable(kind, qualified);
      if (module === 'torch' && STORAGE_TYPES[name]) return new StorageClass(STORAGE_TYPES[name]!, qualified);
      if (module === 'torch' && TORCH_DTYPE_NAMES.has(name)) return qualified;
      return refuse(
        `the pickle references the Python global '${qualified}', which a weights-only PyTorch checkpoint ` +
          'never needs (allowed: collections.OrderedDict, torch._utils._rebuild_tensor_v2/_rebuild_parameter, ' +
          'torch.*Storage, torch.device, torch.Size)',
      );
    },

    reduce(callable, args) {
      if (!(callable instanceof TorchCallable)) return refuse(`the pickle calls ${describe(callable)}`);
      switch (callable.kind) {
        case 'ordered_dict': {
          const dict = new Map<PthKey, PthValue>();
          const items = args[0];
          if (items instanceof Map) {
            charge(items.size);
            for (const [k, v] of items) dict.set(k as PthKey, v as PthValue);
          } else if (Array.isArray(items)) {
            charge(items.length);
            for (const pair of items) {
              if (!Array.isArray(pair) || pair.length !== 2)
                return refuse('OrderedDict built from non-pairs');
              dict.set(pair[0] as PthKey, pair[1] as PthValue);
            }
          }
          return dict;
        }
        case 'rebuild_tensor':
          return rebuildTensor(args);
        case 'rebuild_parameter': {
          const data = args[0];
          if (!(data instanceof PthTensor)) return refuse('torch.nn.Parameter rebuilt from a non-tensor');
          data.requiresGrad = args[1] === true;
          return data;
        }
        case 'device':
          return args.length > 1 && args[1] !== null
            ? `${String(args[0])}:${String(args[1])}`
            : String(args[0]);
        case 'size':
          if (!Array.isArray(args[0]) || args[0].length > MAX_RANK || !args[0].every(isIndex)) {
            return refuse('malformed torch.Size');
          }
          charge(args[0].length);
          return [...args[0]];
        case 'encode': {
          const [text, encoding] = args;
          if (typeof text !== 'string') return refuse('_codecs.encode of a non-string');
          charge(text.length);
          if (encoding === 'latin1' || encoding === 'latin-1')
            return Uint8Array.from(text, (c) => c.charCodeAt(0));
          if (encoding === 'utf-8' || encoding === 'utf8') return new TextEncoder().encode(text);
          return refuse(`_codecs.encode with encoding ${String(encoding)}`);
        }
      }
    },

    build(target, state) {
      // torch.save attaches `_metadata` (module versions) to state dicts; it is not needed.
      if (target instanceof Map || target instanceof PthTensor) return;
      refuse(`the pickle sets state (BUILD ${describe(state)}) on ${describe(target)}`);
    },

    persistentLoad(pid) {
      if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
        return refuse(`unknown persistent id ${JSON.stringify(describe(pid))}`);
      }
      const [, storageClass, key, , numel] = pid;
      if (!(storageClass instanceof StorageClass)) return refuse(`storage of type ${describe(storageClass)}`);
      if (typeof key !== 'string' || !/^[\w.-]+$/.test(key) || !isIndex(numel)) {
        return refuse('malformed storage id');
      }
      const id = `${key}/${storageClass.qualifiedName}`;
      let ref = storages.get(id);
      if (!ref) {
        ref = new StorageRef(storageClass.type, key, numel);
        storages.set(id, ref);
      }
      return ref;
    },
  };
}

// ---- zip access (yauzl: bounds-checked central directory, zip64; we add CRC checks) ----

function zipError(path: string, error: unknown): UserError {
  const message = error instanceof Error ? error.message : String(error);
  return new UserError(`${path}: corrupt or truncated zip archive (${message})`);
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error || !zip) reject(zipError(path, error));
      else resolve(zip);
    });
  });
}

function listEntries(zip: yauzl.ZipFile, path: string): Promise<Map<string, yauzl.Entry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, yauzl.Entry>();
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (error) => reject(zipError(path, error)));
    zip.readEntry();
  });
}

/**
 * What the archive's entries may add up to once inflated: MAX_EXPANSION times the file. Every
 * entry is checked against it by its declared size before a byte is inflated (yauzl then holds
 * the stream to that declared size), so a zip bomb or entries that overlap in the file are
 * refused up front.
 */
class InflateBudget {
  private left: number;

  constructor(
    private readonly path: string,
    private readonly fileSize: number,
  ) {
    this.left = fileSize * MAX_EXPANSION;
  }

  spend(entry: yauzl.Entry): void {
    const size = entry.uncompressedSize;
    if (size > entry.compressedSize * MAX_EXPANSION + 4096 || size > this.left) {
      throw new UserError(
        `${this.path}: refused to load: entry ${entry.fileName} declares ${size} bytes, more than a ` +
          `${this.fileSize}-byte archive can hold (at most ${MAX_EXPANSION}× its compressed data; a zip bomb?)`,
      );
    }
    this.left -= size;
  }
}

function readEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  path: string,
  budget: InflateBudget,
): Promise<Uint8Array> {
  budget.spend(entry);
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) {
        reject(zipError(path, error));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (e) => reject(zipError(path, e)));
      stream.on('end', () => {
        const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        if (crc32(bytes) >>> 0 !== entry.crc32 >>> 0) {
          reject(new UserError(`${path}: corrupt checkpoint: CRC mismatch in ${entry.fileName}`));
        } else resolve(bytes);
      });
    });
  });
}

/** Clear errors for files that are not zip archives, before the zip reader sees them. */
function checkSignature(path: string): void {
  const head = readFileHead(path, 512);
  if (head.length === 0) throw new UserError(`${path}: empty file, not a PyTorch checkpoint`);
  if (head[0] === 0x50 && head[1] === 0x4b) return; // 'PK'
  if (head[0] === 0x80 && head[1] !== undefined && head[1] <= 5) {
    throw new UserError(
      `${path}: legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with a recent ` +
        'PyTorch: torch.save(torch.load(old, weights_only=True), new)',
    );
  }
  if (head.length > 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar') {
    throw new UserError(
      `${path}: legacy tar-format torch.save file is not supported; re-save it with a recent PyTorch`,
    );
  }
  const printable = head
    .subarray(0, 64)
    .every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  throw new UserError(
    `${path}: not a PyTorch checkpoint (expected a torch.save zip archive, found ${printable ? 'text' : 'unknown binary data'})`,
  );
}

/**
 * Before a storage is read: it must hold the elements its views declare, and its views together
 * may copy it only a few times over (see MAX_VIEWS_PER_STORAGE_BYTE).
 */
function checkViews(views: PendingTensor[], entry: yauzl.Entry, path: string): void {
  const { type, numel, key } = views[0]!.storage;
  const needed = Math.max(...views.map((v) => v.storage.numel)) * type.itemSize;
  if (entry.uncompressedSize < needed) {
    throw new UserError(
      `${path}: corrupt checkpoint: storage ${key} holds ${Math.floor(entry.uncompressedSize / type.itemSize)} ` +
        `elements, expected ${numel}`,
    );
  }
  const copies = views.reduce((n, v) => n + shapeSize(v.tensor.shape) * v.storage.type.itemSize, 0);
  if (copies > MAX_VIEWS_PER_STORAGE_BYTE * entry.uncompressedSize + 4096) {
    throw new UserError(
      `${path}: refused to load: ${views.length} tensors view storage ${key} (${entry.uncompressedSize} bytes) ` +
        `for ${copies} bytes in all, more than ${MAX_VIEWS_PER_STORAGE_BYTE} copies of it`,
    );
  }
}

/** Copies a pending tensor's elements out of its storage, contiguously, in float32 or its integer type. */
function materialise(
  p: PendingTensor,
  storageBytes: Uint8Array,
  littleEndian: boolean,
  source: string,
): void {
  const { type, numel, key } = p.storage;
  const available = Math.floor(storageBytes.byteLength / type.itemSize);
  if (available < numel) {
    throw new UserError(
      `${source}: corrupt checkpoint: storage ${key} holds ${available} elements, expected ${numel}`,
    );
  }
  const { shape } = p.tensor;
  const count = shapeSize(shape);
  const contiguousStride = shape.map((_, i) => shapeSize(shape.slice(i + 1)));
  const contiguous = shape.every((d, i) => d <= 1 || p.stride[i] === contiguousStride[i]);
  const span = count === 0 ? 0 : contiguous ? count : numel - p.offset;
  const start = p.offset * type.itemSize;
  const buffer = hostOrderCopy(
    storageBytes,
    start,
    start + span * type.itemSize,
    type.itemSize,
    littleEndian,
  );
  let raw = typedView(type, buffer);
  if (!contiguous && count > 0) raw = gather(raw, shape, p.stride);
  p.tensor.data = toOutput(type.dtype, raw);
}

type Raw =
  | Float32Array
  | Float64Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

function typedView(type: StorageType, buffer: ArrayBuffer): Raw {
  switch (type.dtype) {
    case 'float32':
      return new Float32Array(buffer);
    case 'float64':
      return new Float64Array(buffer);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(buffer);
    case 'int64':
      return new BigInt64Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'int16':
      return new Int16Array(buffer);
    case 'int8':
      return new Int8Array(buffer);
    default:
      return new Uint8Array(buffer);
  }
}

/** Strided view → contiguous copy (row-major over `shape`). */
function gather<T extends Raw>(src: T, shape: number[], stride: number[]): T {
  const count = shapeSize(shape);
  const out = new (src.constructor as new (n: number) => T)(count);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = 0;
  for (let i = 0; i < count; i++) {
    (out as unknown as unknown[])[i] = (src as unknown as unknown[])[at];
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      at += stride[d]!;
      if (index[d]! < shape[d]!) break;
      at -= stride[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}

function toOutput(dtype: PthDtype, raw: Raw): PthTensor['data'] {
  switch (dtype) {
    case 'float64':
      return Float32Array.from(raw as Float64Array);
    case 'float16':
      return halfToFloat32(raw as Uint16Array);
    case 'bfloat16':
      return bfloat16ToFloat32(raw as Uint16Array);
    default:
      return raw as PthTensor['data'];
  }
}

/**
 * Reads a torch.save zip checkpoint without executing anything. Dicts become Maps (in file
 * order), tensors PthTensors. Refuses pickles that reference anything beyond the
 * weights-only subset, and reports truncated, corrupt, legacy or non-torch files by name.
 */
export async function readPth(path: string): Promise<PthValue> {
  checkSignature(path);
  const zip = await openZip(path);
  const budget = new InflateBudget(path, zip.fileSize);
  try {
    const entries = await listEntries(zip, path);
    const first = entries.keys().next().value as string | undefined;
    const slash = first?.indexOf('/') ?? -1;
    const prefix = first && slash > 0 ? first.slice(0, slash) : undefined;
    const pickleEntry = prefix === undefined ? undefined : entries.get(`${prefix}/data.pkl`);
    if (!pickleEntry) {
      throw new UserError(`${path}: zip archive without <folder>/data.pkl, not a torch.save checkpoint`);
    }
    const byteorderEntry = entries.get(`${prefix}/byteorder`);
    let littleEndian = true;
    if (byteorderEntry) {
      const order = new TextDecoder().decode(await readEntry(zip, byteorderEntry, path, budget)).trim();
      if (order !== 'little' && order !== 'big') throw new UserError(`${path}: unknown byteorder '${order}'`);
      littleEndian = order === 'little';
    }

    const pending: PendingTensor[] = [];
    const pickle = await readEntry(zip, pickleEntry, path, budget);
    const value = unpickle(pickle, torchHooks(path, pending, pickle.byteLength), path) as PthValue;

    // Read each storage once, fill the tensors that view it, then let it go.
    const byKey = new Map<string, PendingTensor[]>();
    for (const p of pending) {
      const list = byKey.get(p.storage.key) ?? [];
      list.push(p);
      byKey.set(p.storage.key, list);
    }
    for (const [key, list] of byKey) {
      const entry = entries.get(`${prefix}/data/${key}`);
      if (!entry)
        throw new UserError(`${path}: corrupt checkpoint: storage ${prefix}/data/${key} is missing`);
      checkViews(list, entry, path);
      const bytes = await readEntry(zip, entry, path, budget);
      for (const p of list) materialise(p, bytes, littleEndian, path);
    }
    return value;
  } finally {
    zip.close();
  }
}

export interface PthStateDictOptions {
  /** Top-level entry to pick, e.g. 'generator' of a synmodule file ({generator, fencoder, wmodule, discriminator}). */
  section?: string;
  /** Names the file in errors. */
  source?: string;
  /** Which BasicSR wrapper to unwrap; default: 'params_ema' if present, else 'params'. */
  paramKey?: 'params' | 'params_ema';
  /**
   * Integer tensors (BatchNorm's num_batches_tracked) are dropped by default, since
   * Module.loadTorchStateDict ignores them; true keeps them converted to float32.
   */
  keepIntegers?: boolean;
}

function unwrap(value: PthValue, paramKey: PthStateDictOptions['paramKey']): PthValue {
  if (!(value instanceof Map)) return value;
  const keys = paramKey ? [paramKey] : ['params_ema', 'params'];
  for (const key of keys) {
    const inner = value.get(key);
    if (inner instanceof Map) return inner;
  }
  return value;
}

/**
 * The float tensors of a checkpoint as an official-key state dict: unwraps BasicSR's
 * `params_ema`/`params`, optionally picks one top-level section, and flattens nested dicts
 * with '.' (so a whole synmodule file gives `generator.*`, `fencoder.*`, …). Non-tensor
 * leaves (epoch counters, strings) are skipped.
 */
export function pthStateDict(value: PthValue, options: PthStateDictOptions = {}): Map<string, TorchTensor> {
  const source = options.source ?? 'checkpoint';
  let dict = unwrap(value, options.paramKey);
  if (options.section !== undefined) {
    if (!(dict instanceof Map) || !dict.has(options.section)) {
      const keys =
        dict instanceof Map ? [...dict.keys()].slice(0, 20).map((k) => String(k).slice(0, 80)) : [];
      const more = dict instanceof Map && dict.size > 20 ? `, … (${dict.size} in all)` : '';
      const available = dict instanceof Map ? keys.join(', ') + more : describe(dict);
      throw new UserError(`${source}: no section '${options.section}' (top-level entries: ${available})`);
    }
    dict = unwrap(dict.get(options.section)!, options.paramKey);
  }
  if (!(dict instanceof Map)) {
    throw new UserError(`${source}: expected a state dict (a dict of tensors), found ${describe(dict)}`);
  }
  const out = new Map<string, TorchTensor>();
  // Depth-first in file order with an explicit stack (a pickle can nest dicts 100k deep), and
  // each dict entered once (a pickle's memo can make a dict contain itself, or share one dict
  // so that its expansion doubles per level).
  const entered = new Set<Map<PthKey, PthValue>>();
  const open: Array<{ entries: Iterator<[PthKey, PthValue]>; prefix: string }> = [];
  const enter = (node: Map<PthKey, PthValue>, prefix: string): void => {
    const where = prefix ? `'${prefix.slice(0, -1).slice(0, 200)}'` : 'the top level';
    if (entered.has(node)) {
      throw new UserError(
        `${source}: refused to load: the dict at ${where} appears a second time (it contains itself or ` +
          'is shared), which a state dict never does',
      );
    }
    if (open.length >= MAX_DICT_DEPTH) {
      throw new UserError(
        `${source}: refused to load: dicts nested more than ${MAX_DICT_DEPTH} levels deep, far beyond a state dict`,
      );
    }
    entered.add(node);
    open.push({ entries: node.entries(), prefix });
  };
  enter(dict, '');
  while (open.length > 0) {
    const level = open[open.length - 1]!;
    const next = level.entries.next();
    if (next.done) {
      open.pop();
      continue;
    }
    const [key, child] = next.value;
    const name = level.prefix + String(key);
    if (child instanceof Map) enter(child, `${name}.`);
    else if (child instanceof PthTensor && (child.isFloat || options.keepIntegers)) {
      out.set(name, child.toFloat32());
    }
  }
  if (out.size === 0) {
    const where = options.section ? ` in section '${options.section}'` : '';
    throw new UserError(`${source}: no float tensors found${where}`);
  }
  return out;
}
