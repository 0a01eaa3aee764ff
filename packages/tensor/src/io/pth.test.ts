import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@ugpnet/core';
import { describeGolden, GOLDEN_DIR as GOLDEN } from '@ugpnet/test-support';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { PthTensor, type PthValue, pthStateDict, readPth } from './pth.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-pth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------- pickle fixtures

/** Emits pickle opcodes by hand, the way torch.save's protocol-2 pickler does. */
class PickleWriter {
  private bytes: number[] = [];
  private memo = 0;

  op(code: number | string, ...payload: number[]): this {
    this.bytes.push(typeof code === 'string' ? code.charCodeAt(0) : code, ...payload);
    return this;
  }
  proto(n = 2): this {
    return this.op(0x80, n);
  }
  str(text: string): this {
    const utf8 = new TextEncoder().encode(text);
    return this.op('X', ...u32(utf8.length), ...utf8);
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op('K', n);
    if (n >= 0 && n < 65536) return this.op('M', n & 0xff, n >> 8);
    return this.op('J', ...u32(n >>> 0));
  }
  global(module: string, name: string): this {
    return this.op('c', ...ascii(`${module}\n${name}\n`));
  }
  mark(): this {
    return this.op('(');
  }
  tuple(): this {
    return this.op('t');
  }
  put(): this {
    return this.op('q', this.memo++);
  }
  /** Pushes a tensor rebuilt from storage `key` (a _rebuild_tensor_v2 call). */
  tensor(
    storageType: string,
    key: string,
    numel: number,
    offset: number,
    size: number[],
    stride: number[],
  ): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    this.mark().str('storage').global('torch', storageType).str(key).str('cpu').int(numel).tuple().op('Q');
    this.int(offset).mark();
    for (const d of size) this.int(d);
    this.tuple().mark();
    for (const d of stride) this.int(d);
    this.tuple().op(0x89); // requires_grad False
    this.global('collections', 'OrderedDict').op(')').op('R'); // backward hooks
    return this.tuple().op('R');
  }
  stop(): Uint8Array {
    return Uint8Array.from([...this.bytes, '.'.charCodeAt(0)]);
  }
}

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

interface FixtureTensor {
  name: string;
  storageType: string;
  key: string;
  numel: number;
  offset?: number;
  size: number[];
  stride?: number[];
}

const contiguous = (size: number[]) => size.map((_, i) => size.slice(i + 1).reduce((a, b) => a * b, 1));

/** An OrderedDict state dict of the given tensors, with _metadata set by BUILD like torch.save. */
function stateDictPickle(tensors: FixtureTensor[]): Uint8Array {
  const w = new PickleWriter().proto().global('collections', 'OrderedDict').op(')').op('R').put().mark();
  for (const t of tensors) {
    w.str(t.name).tensor(
      t.storageType,
      t.key,
      t.numel,
      t.offset ?? 0,
      t.size,
      t.stride ?? contiguous(t.size),
    );
  }
  w.op('u'); // SETITEMS
  w.op('}').str('_metadata').global('collections', 'OrderedDict').op(')').op('R').op('s').op('b'); // BUILD
  return w.stop();
}

function torchZip(
  name: string,
  pickle: Uint8Array,
  storages: Record<string, Uint8Array>,
  prefix = 'archive',
) {
  const files: Record<string, Uint8Array> = { [`${prefix}/data.pkl`]: pickle };
  for (const [key, bytes] of Object.entries(storages)) files[`${prefix}/data/${key}`] = bytes;
  files[`${prefix}/version`] = new TextEncoder().encode('3\n');
  const path = join(dir, name);
  writeFileSync(path, zipSync(files, { level: 0 }));
  return path;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

async function refusal(path: string): Promise<string> {
  const error = await readPth(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  const message = (error as Error).message;
  expect(message).toContain(path);
  return message;
}

// ---------------------------------------------------------------- golden files

interface ManifestWeights {
  file?: string;
  num_tensors?: number;
  num_float_elements?: number;
  keys?: Record<string, number[]>;
}

/** (file, section, listing) triples from the manifests' key → shape tables. */
function goldenListings(GOLDEN: string): Array<{ file: string; section?: string; listing: ManifestWeights }> {
  const out: Array<{ file: string; section?: string; listing: ManifestWeights }> = [];
  for (const c of ['discriminator', 'fusion', 'hinet', 'losses', 'nafnet', 'resmodule', 'rrdb']) {
    const weights = JSON.parse(readFileSync(join(GOLDEN!, c, 'manifest.json'), 'utf8'))
      .weights as ManifestWeights;
    out.push({ file: join(GOLDEN!, c, weights.file!), listing: weights });
  }
  const lpips = JSON.parse(readFileSync(join(GOLDEN!, 'lpips', 'manifest.json'), 'utf8')).weights;
  for (const part of Object.values(lpips) as ManifestWeights[]) {
    out.push({ file: join(GOLDEN!, 'lpips', part.file!), listing: part });
  }
  const syn = JSON.parse(readFileSync(join(GOLDEN!, 'synmodule', 'manifest.json'), 'utf8')).weights;
  for (const [section, part] of Object.entries(syn.summary as Record<string, ManifestWeights>)) {
    out.push({ file: join(GOLDEN!, 'synmodule', syn.file), section, listing: part });
  }
  return out;
}

describeGolden('readPth on the golden checkpoints', () => {
  const cache = new Map<string, Promise<PthValue>>();
  const load = (file: string) => {
    if (!cache.has(file)) cache.set(file, readPth(file));
    return cache.get(file)!;
  };

  for (const { file, section, listing } of existsSync(GOLDEN) ? goldenListings(GOLDEN) : []) {
    const label = `${file.split('/').slice(-2).join('/')}${section ? ` [${section}]` : ''}`;
    it(`matches the manifest listing: ${label}`, async () => {
      const value = await load(file);
      const all = pthStateDict(value, { section, source: file, keepIntegers: true });
      expect(all.size).toBe(listing.num_tensors);
      for (const [key, shape] of Object.entries(listing.keys!)) {
        expect(all.get(key)?.shape, key).toEqual(shape);
        expect(all.get(key)!.data.length).toBe(shape.reduce((a, b) => a * b, 1));
      }
      const floats = pthStateDict(value, { section, source: file });
      const counters = [...all.keys()].filter((k) => k.endsWith('num_batches_tracked'));
      expect(floats.size).toBe(all.size - counters.length);
      const elements = [...floats.values()].reduce((n, t) => n + t.data.length, 0);
      expect(elements).toBe(listing.num_float_elements);
      for (const t of floats.values()) expect(t.data.every(Number.isFinite)).toBe(true);
    });
  }

  it('unwraps params_ema (rrdb) and params (hinet) and keeps the raw wrapper in readPth', async () => {
    const rrdb = (await load(join(GOLDEN!, 'rrdb', 'rrdbnet_x8.pth'))) as Map<string, PthValue>;
    expect([...rrdb.keys()]).toEqual(['params_ema']);
    expect(pthStateDict(rrdb).get('conv_first.weight')!.shape).toEqual([16, 3, 3, 3]);
    const hinet = (await load(join(GOLDEN!, 'hinet', 'hinet.pth'))) as Map<string, PthValue>;
    expect([...hinet.keys()]).toEqual(['params']);
    expect(pthStateDict(hinet, { paramKey: 'params' }).size).toBe(110);
  });

  it('reads the synmodule dict: sections, flattening and int64 counters', async () => {
    const syn = (await load(join(GOLDEN!, 'synmodule', 'synmodule.pth'))) as Map<string, PthValue>;
    expect([...syn.keys()]).toEqual(['fencoder', 'wmodule', 'generator', 'discriminator']);
    const flat = pthStateDict(syn);
    expect(flat.get('generator.noises.noise5')).toBeDefined();
    expect(flat.get('fencoder.downblocks.0.bn.0.running_var')!.data.every((v) => v > 0)).toBe(true);
    const counter = (syn.get('fencoder') as Map<string, PthValue>).get(
      'downblocks.0.bn.0.num_batches_tracked',
    );
    expect(counter).toBeInstanceOf(PthTensor);
    expect((counter as PthTensor).dtype).toBe('int64');
    expect((counter as PthTensor).shape).toEqual([]);
    expect((counter as PthTensor).data).toBeInstanceOf(BigInt64Array);
    expect(() => pthStateDict(syn, { section: 'mapping', source: 'synmodule.pth' })).toThrow(
      /synmodule.pth: no section 'mapping' \(top-level entries: fencoder, wmodule, generator, discriminator\)/,
    );
  });

  it('gives identical values for discriminator.pth and synmodule.pth[discriminator] (two independent files)', async () => {
    const alone = pthStateDict(await load(join(GOLDEN!, 'discriminator', 'discriminator.pth')));
    const inSyn = pthStateDict(await load(join(GOLDEN!, 'synmodule', 'synmodule.pth')), {
      section: 'discriminator',
    });
    expect([...alone.keys()]).toEqual([...inSyn.keys()]);
    for (const [key, t] of alone) expect(inSyn.get(key)!.data, key).toEqual(t.data);
    // and the values are real weights, not zeros
    const w = alone.get('conv_body.0.0.weight')!.data;
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.01);
  });

  it('reads LPIPS lin weights drawn with torch.rand, hence in [0, 1)', async () => {
    const lin = pthStateDict(await load(join(GOLDEN!, 'lpips', 'lpips_lin.pth')));
    for (const t of lin.values()) expect(t.data.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

// ---------------------------------------------------------------- synthetic files

describe('readPth on synthetic torch.save files', () => {
  it('rebuilds offsets, strides (non-contiguous views), shared storages and scalars', async () => {
    const base = Float32Array.from({ length: 12 }, (_, i) => i);
    const path = torchZip(
      'views.pth',
      stateDictPickle([
        { name: 'whole', storageType: 'FloatStorage', key: '0', numel: 12, size: [3, 4] },
        {
          name: 'transposed',
          storageType: 'FloatStorage',
          key: '0',
          numel: 12,
          size: [4, 3],
          stride: [1, 4],
        },
        { name: 'row', storageType: 'FloatStorage', key: '0', numel: 12, offset: 8, size: [4] },
        {
          name: 'column',
          storageType: 'FloatStorage',
          key: '0',
          numel: 12,
          offset: 1,
          size: [3],
          stride: [4],
        },
        { name: 'scalar', storageType: 'FloatStorage', key: '0', numel: 12, offset: 5, size: [] },
        { name: 'empty', storageType: 'FloatStorage', key: '0', numel: 12, size: [0, 4] },
      ]),
      { '0': bytesOf(base) },
    );
    const dict = pthStateDict(await readPth(path));
    expect(Array.from(dict.get('whole')!.data)).toEqual(Array.from(base));
    expect(dict.get('transposed')!.shape).toEqual([4, 3]);
    expect(Array.from(dict.get('transposed')!.data)).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(Array.from(dict.get('row')!.data)).toEqual([8, 9, 10, 11]);
    expect(Array.from(dict.get('column')!.data)).toEqual([1, 5, 9]);
    expect(dict.get('scalar')).toEqual({ shape: [], data: Float32Array.of(5) });
    expect(dict.get('empty')!.data.length).toBe(0);
  });

  it('converts float64, float16 and bfloat16 to float32 and keeps integer dtypes exact', async () => {
    const half = Uint16Array.of(0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00); // 1, -2, ~1/3, 2^-24, inf
    const bf16 = Uint16Array.of(0x3f80, 0xc0a0); // 1, -5
    const longs = BigInt64Array.of(7n, -3n, 2n ** 40n);
    const path = torchZip(
      'dtypes.pth',
      stateDictPickle([
        { name: 'f64', storageType: 'DoubleStorage', key: '0', numel: 2, size: [2] },
        { name: 'f16', storageType: 'HalfStorage', key: '1', numel: 5, size: [5] },
        { name: 'bf16', storageType: 'BFloat16Storage', key: '2', numel: 2, size: [2] },
        { name: 'count', storageType: 'LongStorage', key: '3', numel: 3, size: [3] },
        { name: 'mask', storageType: 'BoolStorage', key: '4', numel: 2, size: [2] },
      ]),
      {
        '0': bytesOf(Float64Array.of(0.1, -1e10)),
        '1': bytesOf(half),
        '2': bytesOf(bf16),
        '3': bytesOf(longs),
        '4': Uint8Array.of(1, 0),
      },
    );
    const value = (await readPth(path)) as Map<string, PthTensor>;
    expect(value.get('f64')!.dtype).toBe('float64');
    expect(Array.from(value.get('f64')!.data as Float32Array)).toEqual([
      Math.fround(0.1),
      Math.fround(-1e10),
    ]);
    expect(Array.from(value.get('f16')!.data as Float32Array)).toEqual([
      1,
      -2,
      Math.fround(0.333251953125),
      2 ** -24,
      Number.POSITIVE_INFINITY,
    ]);
    expect(Array.from(value.get('bf16')!.data as Float32Array)).toEqual([1, -5]);
    expect(value.get('count')!.data).toEqual(longs);
    expect(value.get('mask')!.dtype).toBe('bool');
    expect(Array.from(value.get('mask')!.data as Uint8Array)).toEqual([1, 0]);
    expect([...pthStateDict(value).keys()]).toEqual(['f64', 'f16', 'bf16']);
    expect(Array.from(pthStateDict(value, { keepIntegers: true }).get('count')!.data)).toEqual([
      7,
      -3,
      2 ** 40,
    ]);
  });

  it('takes the folder prefix from the first entry and honours a big-endian byteorder record', async () => {
    const big = new Uint8Array(8);
    new DataView(big.buffer).setFloat32(0, 1.5, false);
    new DataView(big.buffer).setFloat32(4, -2.25, false);
    const pickle = stateDictPickle([
      { name: 'w', storageType: 'FloatStorage', key: '0', numel: 2, size: [2] },
    ]);
    const path = join(dir, 'big.pth');
    writeFileSync(
      path,
      zipSync(
        {
          'my_model/data.pkl': pickle,
          'my_model/byteorder': new TextEncoder().encode('big'),
          'my_model/data/0': big,
        },
        { level: 0 },
      ),
    );
    expect(Array.from(pthStateDict(await readPth(path)).get('w')!.data)).toEqual([1.5, -2.25]);
  });

  it('unwraps nn.Parameter (_rebuild_parameter) and nested plain dicts', async () => {
    const w = new PickleWriter().proto().op('}').str('params').op('}').str('net');
    w.op('}').str('weight').global('torch._utils', '_rebuild_parameter').mark();
    w.tensor('FloatStorage', '0', 2, 0, [2], [1])
      .op(0x88)
      .global('collections', 'OrderedDict')
      .op(')')
      .op('R');
    w.tuple().op('R').op('s'); // weight = Parameter(...)
    w.op('s').op('s'); // net = {...}; params = {...}
    const path = torchZip('param.pth', w.stop(), { '0': bytesOf(Float32Array.of(3, 4)) });
    const value = (await readPth(path)) as Map<string, Map<string, Map<string, PthTensor>>>;
    expect(value.get('params')!.get('net')!.get('weight')!.requiresGrad).toBe(true);
    const dict = pthStateDict(value);
    expect([...dict.keys()]).toEqual(['net.weight']);
    expect(Array.from(dict.get('net.weight')!.data)).toEqual([3, 4]);
  });

  describe('refuses anything beyond the weights-only subset, naming the global and the file', () => {
    const storage = { '0': bytesOf(Float32Array.of(1)) };
    const cases: Array<[string, Uint8Array, RegExp]> = [
      [
        'posix.system via GLOBAL + REDUCE',
        new PickleWriter().proto().global('posix', 'system').str('touch /tmp/pwned').op(0x85).op('R').stop(),
        /'posix\.system'/,
      ],
      [
        'builtins.eval',
        new PickleWriter().proto().global('builtins', 'eval').str('1+1').op(0x85).op('R').stop(),
        /'builtins\.eval'/,
      ],
      [
        'os.system via STACK_GLOBAL (protocol 4)',
        new PickleWriter().proto(4).str('os').str('system').op(0x93).str('id').op(0x85).op('R').stop(),
        /'os\.system'/,
      ],
      [
        'an unknown class rebuilt through copyreg',
        new PickleWriter().proto().global('copyreg', '_reconstructor').stop(),
        /'copyreg\._reconstructor'/,
      ],
      [
        'INST (protocol 0 object construction)',
        new PickleWriter()
          .proto()
          .mark()
          .op('i', ...ascii('os\nsystem\n'))
          .stop(),
        /refused pickle opcode INST/,
      ],
      [
        'NEWOBJ of an allowed global',
        new PickleWriter().proto().global('collections', 'OrderedDict').op(')').op(0x81).stop(),
        /refused pickle opcode NEWOBJ/,
      ],
      [
        'calling a storage class',
        new PickleWriter().proto().global('torch', 'FloatStorage').int(10).op(0x85).op('R').stop(),
        /calls torch\.FloatStorage/,
      ],
      ['APPEND to a dict', new PickleWriter().proto().op('}').int(1).op('a').stop(), /APPEND to a non-list/],
    ];
    for (const [label, pickle, pattern] of cases) {
      it(label, async () => {
        const path = torchZip(`evil-${label.replace(/\W+/g, '-')}.pth`, pickle, storage);
        expect(await refusal(path)).toMatch(pattern);
      });
    }
  });

  describe('reports unreadable files clearly', () => {
    const good = () =>
      torchZip(
        'good.pth',
        stateDictPickle([{ name: 'w', storageType: 'FloatStorage', key: '0', numel: 64, size: [8, 8] }]),
        { '0': bytesOf(Float32Array.from({ length: 64 }, (_, i) => i)) },
      );

    it('a zero-byte file', async () => {
      const path = join(dir, 'empty.pth');
      writeFileSync(path, '');
      expect(await refusal(path)).toMatch(/empty file/);
    });

    it('a text file', async () => {
      const path = join(dir, 'notes.pth');
      writeFileSync(path, 'these are not weights\n');
      expect(await refusal(path)).toMatch(/not a PyTorch checkpoint .*found text/);
    });

    it('a legacy (pre-1.6) non-zip torch file', async () => {
      const path = join(dir, 'legacy.pth');
      writeFileSync(
        path,
        Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50),
      );
      expect(await refusal(path)).toMatch(/legacy \(pre-1\.6, non-zip\)/);
    });

    it('a missing file', async () => {
      expect(await refusal(join(dir, 'nope.pth'))).toMatch(/no such file/);
    });

    it('a truncated zip', async () => {
      const bytes = readFileSync(good());
      for (const keep of [0.5, 0.9, 0.99]) {
        const path = join(dir, `truncated-${keep}.pth`);
        writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * keep)));
        expect(await refusal(path)).toMatch(/corrupt or truncated zip/);
      }
    });

    it('flipped bytes in a storage (CRC mismatch)', async () => {
      const bytes = readFileSync(good());
      const at = bytes.indexOf(Buffer.from(Float32Array.of(33).buffer));
      bytes[at]! ^= 0xff;
      const path = join(dir, 'flipped.pth');
      writeFileSync(path, bytes);
      expect(await refusal(path)).toMatch(/CRC mismatch in archive\/data\/0/);
    });

    it('a zip that is not a torch checkpoint', async () => {
      const path = join(dir, 'other.zip');
      writeFileSync(path, zipSync({ 'readme.txt': new TextEncoder().encode('hi') }));
      expect(await refusal(path)).toMatch(/without <folder>\/data\.pkl/);
    });

    it('a storage that is missing or too small, or a view beyond it', async () => {
      const tensors = [{ name: 'w', storageType: 'FloatStorage', key: '0', numel: 16, size: [4, 4] }];
      const missing = torchZip('missing.pth', stateDictPickle(tensors), {});
      expect(await refusal(missing)).toMatch(/storage archive\/data\/0 is missing/);
      const small = torchZip('small.pth', stateDictPickle(tensors), { '0': new Uint8Array(20) });
      expect(await refusal(small)).toMatch(/storage 0 holds 5 elements, expected 16/);
      const beyond = torchZip(
        'beyond.pth',
        stateDictPickle([
          { name: 'w', storageType: 'FloatStorage', key: '0', numel: 16, offset: 4, size: [4, 4] },
        ]),
        { '0': new Uint8Array(64) },
      );
      expect(await refusal(beyond)).toMatch(/reaches element 19 of storage 0, which holds 16/);
    });

    it('a truncated pickle', async () => {
      const pickle = stateDictPickle([
        { name: 'w', storageType: 'FloatStorage', key: '0', numel: 1, size: [1] },
      ]);
      const path = torchZip('short-pickle.pth', pickle.subarray(0, 40), { '0': new Uint8Array(4) });
      expect(await refusal(path)).toMatch(/truncated pickle/);
    });

    it('a state dict request on something that is not a dict', async () => {
      const path = torchZip('list.pth', new PickleWriter().proto().op(']').stop(), {});
      expect(() => pthStateDict(0 as unknown as PthValue, { source: path })).toThrow(UserError);
      expect(() => pthStateDict(new Map(), { source: path })).toThrow(/no float tensors found/);
      await expect(readPth(path)).resolves.toEqual([]);
    });
  });
});

// ---------------------------------------------------------------- hostile files (issue 13 §4)

describe('readPth refuses small hostile files in one line, before they cost time or memory', () => {
  const short = (w: PickleWriter, text: string) => w.op(0x8c, text.length, ...ascii(text));
  const stateDictOf = async (path: string) => pthStateDict(await readPth(path), { source: path });

  it('a dict that contains itself (memo reference)', async () => {
    const w = new PickleWriter().proto().op('}').put();
    const path = torchZip('selfref.pth', short(w, 'a').op('h', 0).op('s').stop(), {});
    await expect(stateDictOf(path)).rejects.toThrow(/the dict at 'a' appears a second time/);
  });

  /** {a: {a: … {}}} `depth` levels deep, with MARK … DICT or (as Python pickles it) EMPTY_DICT … SETITEM. */
  const nested = (depth: number, marks: boolean) => {
    const w = new PickleWriter().proto();
    for (let i = 0; i < depth; i++) short(marks ? w.mark() : w.op('}'), 'a');
    w.op('}');
    for (let i = 0; i < depth; i++) w.op(marks ? 'd' : 's');
    return w.stop();
  };

  it('dicts nested 100k deep, either way a pickler writes them (no stack overflow)', async () => {
    const marks = torchZip('deep-marks.pth', nested(100_000, true), {});
    expect(await refusal(marks)).toMatch(/MARKs nested 1000 deep at byte \d+/);
    const items = torchZip('deep-items.pth', nested(100_000, false), {});
    expect(await refusal(items)).toMatch(/more than 20000 values pending on the stack/);
    // Shallow enough for the VM, still far deeper than a state dict: refused while flattening.
    const flatten = torchZip('deep-flatten.pth', nested(500, false), {});
    await expect(stateDictOf(flatten)).rejects.toThrow(/nested more than 64 levels deep/);
  });

  it('one dict shared at every level, so that flattening would double per level', async () => {
    // d0 = {}; d(k+1) = {a: dk, b: dk}: 2^40 paths from 40 small dicts.
    const w = new PickleWriter().proto().op('}');
    for (let k = 0; k < 40; k++) {
      w.put().op('}');
      short(w, 'a').op('h', k);
      short(w, 'b').op('h', k).op('s').op('s');
    }
    const path = torchZip('doubling.pth', w.stop(), {});
    await expect(stateDictOf(path)).rejects.toThrow(/appears a second time/);
  });

  it('a 400 KB LONG4 integer (no quadratic BigInt build), while short LONGs keep their values', async () => {
    const size = 400_000;
    const long = new Uint8Array(size + 8).fill(0x11);
    long.set([0x80, 2, 0x8b, ...u32(size)]);
    long[long.length - 1] = 0x2e;
    const path = torchZip('long4.pth', long, {});
    expect(await refusal(path)).toMatch(/refused to load: an integer of 400000 bytes/);

    const w = new PickleWriter().proto().mark();
    w.op(0x8a, 1, 0xff).op(0x8a, 2, 0x00, 0x80).op(0x8a, 9, 1, 0, 0, 0, 0, 0, 0, 0, 1).op(0x8a, 0);
    const ints = await readPth(torchZip('longs.pth', w.op('l').stop(), {}));
    expect(ints).toEqual([-1, -32768, (1n << 64n) + 1n, 0]);
  });

  it('a zip bomb: a data.pkl that inflates ~1000× (refused by its declared size, never inflated)', async () => {
    const bomb = zipSync({ 'archive/data.pkl': [new Uint8Array(8 << 20), { level: 9 }] });
    const path = join(dir, 'bomb.pth');
    writeFileSync(path, bomb);
    expect(bomb.length).toBeLessThan(64 << 10);
    expect(await refusal(path)).toMatch(
      /entry archive\/data.pkl declares 8388608 bytes, more than a \d+-byte archive can hold/,
    );
  });

  it('zero or overlapping strides that would expand a tiny storage into a huge tensor', async () => {
    const zero = torchZip(
      'stride0.pth',
      stateDictPickle([
        { name: 'w', storageType: 'FloatStorage', key: '0', numel: 1, size: [20000, 20000], stride: [0, 0] },
      ]),
      { '0': new Uint8Array(4) },
    );
    expect(await refusal(zero)).toMatch(/size \[20000,20000\] with a zero stride/);
    const overlapping = torchZip(
      'overlap.pth',
      stateDictPickle([
        { name: 'w', storageType: 'FloatStorage', key: '0', numel: 400, size: [200, 200], stride: [1, 1] },
      ]),
      { '0': new Uint8Array(1600) },
    );
    expect(await refusal(overlapping)).toMatch(/more elements than its storage 0 holds \(400\)/);
  });

  it('many tensors viewing one storage, and a storage id declaring more than its entry holds', async () => {
    const views = Array.from({ length: 6 }, (_, i) => ({
      name: `w${i}`,
      storageType: 'FloatStorage',
      key: '0',
      numel: 4096,
      size: [64, 64],
    }));
    const path = torchZip('views6.pth', stateDictPickle(views), { '0': new Uint8Array(4096 * 4) });
    expect(await refusal(path)).toMatch(/6 tensors view storage 0 \(16384 bytes\) for 98304 bytes/);
    // Tied weights (two names, one storage) still load.
    const tied = torchZip('tied.pth', stateDictPickle(views.slice(0, 2)), { '0': new Uint8Array(4096 * 4) });
    expect((await stateDictOf(tied)).size).toBe(2);
    const huge = torchZip(
      'huge-storage.pth',
      stateDictPickle([{ name: 'w', storageType: 'FloatStorage', key: '0', numel: 1e9, size: [1e4, 1e5] }]),
      { '0': new Uint8Array(4) },
    );
    expect(await refusal(huge)).toMatch(/storage 0 holds 1 elements, expected 1000000000/);
  });

  it('memo reuse that makes calls copy far more values than the pickle holds', async () => {
    // A 5k-pair list memoised once, then OrderedDict(list) called on it 200 times.
    const w = new PickleWriter().proto().op(']').put().mark();
    for (let i = 0; i < 5_000; i++) w.int(i).int(i).op(0x86);
    w.op('e').mark();
    for (let i = 0; i < 200; i++) w.global('collections', 'OrderedDict').op('h', 0).op(0x85).op('R');
    const path = torchZip('amplify.pth', w.op('l').stop(), {});
    expect(await refusal(path)).toMatch(/copies more values than its \d+ bytes could hold/);
  });
});
