// A minimal, safe pickle virtual machine for reading PyTorch checkpoints. It interprets
// the data opcodes of protocols 0–5 but never imports or calls anything itself: every
// global, call (REDUCE), BUILD and persistent id is handed to hooks, and the torch reader's
// hooks only accept the tensor-rebuild subset that torch.load(weights_only=True) allows.
// Opcodes that build arbitrary objects (INST, OBJ, NEWOBJ, EXT*, out-of-band buffers) are
// refused outright.
import { UserError } from '@ugpnet/core';

/** A `module.name` reference met in the stream; only hooks give it meaning. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

export interface UnpicklerHooks {
  /** Returns a value standing for the global, or throws to refuse it. */
  resolveGlobal(module: string, name: string): unknown;
  /** Applies a callable (a value returned by resolveGlobal) to a tuple of arguments. */
  reduce(callable: unknown, args: unknown[]): unknown;
  /** BUILD: sets `state` on `target` (e.g. a state dict's `_metadata`). */
  build(target: unknown, state: unknown): void;
  /** Resolves a persistent id (torch: a storage reference). */
  persistentLoad(pid: unknown): unknown;
}

// Opcodes that construct arbitrary objects; named in the refusal message.
const OPCODE_NAMES = new Map<number, string>([
  [0x69, 'INST'],
  [0x6f, 'OBJ'],
  [0x81, 'NEWOBJ'],
  [0x92, 'NEWOBJ_EX'],
  [0x82, 'EXT1'],
  [0x83, 'EXT2'],
  [0x84, 'EXT4'],
  [0x97, 'NEXT_BUFFER'],
  [0x98, 'READONLY_BUFFER'],
]);

// A state dict's integers (epochs, counters, sizes) fit in 8 bytes; a longer one is refused
// rather than built, since even a linear BigInt build of a few hundred KB is wasted work.
const MAX_INT_BYTES = 64;
const MAX_INT_DIGITS = 160;
// Python's pickler batches list and dict items 1000 at a time, so a state dict keeps a few
// thousand values on the stack and nests MARKs a few levels; far deeper is a nesting attack.
const MAX_STACK = 20_000;
const MAX_MARK_DEPTH = 1000;

/** Runs a pickle program; `source` names the file in errors. */
export function unpickle(bytes: Uint8Array, hooks: UnpicklerHooks, source: string): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  let opPos = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail = (what: string): never => {
    throw new UserError(`${source}: corrupt pickle: ${what} (opcode at byte ${opPos})`);
  };
  const need = (n: number): void => {
    if (pos + n > bytes.byteLength) {
      throw new UserError(
        `${source}: truncated pickle: data ends at byte ${bytes.byteLength} inside an opcode`,
      );
    }
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++]!;
  };
  const u16 = (): number => {
    need(2);
    pos += 2;
    return view.getUint16(pos - 2, true);
  };
  const u32 = (): number => {
    need(4);
    pos += 4;
    return view.getUint32(pos - 4, true);
  };
  const u64 = (): number => {
    need(8);
    pos += 8;
    const value = view.getBigUint64(pos - 8, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail('length out of range');
    return Number(value);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) need(bytes.byteLength - pos + 1);
    const text = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const text = (n: number): string => {
    const data = take(n);
    // Keys are short ASCII; TextDecoder's per-call cost would dominate a pickle of many of them.
    if (n <= 64 && data.every((c) => c < 0x80)) return String.fromCharCode(...data);
    try {
      return utf8.decode(data);
    } catch (error) {
      if (error instanceof UserError) throw error;
      return fail('invalid UTF-8 string');
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = metastack.pop();
    if (!previous) return fail('MARK expected');
    stack = previous;
    return items;
  };
  const memoGet = (key: number): unknown => {
    if (!memo.has(key)) fail(`memo key ${key} is unset`);
    return memo.get(key);
  };
  const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : fail('APPEND to a non-list'));
  const asDict = (value: unknown): Map<unknown, unknown> =>
    value instanceof Map ? value : fail('SETITEM on a non-dict');
  const setItems = (dict: Map<unknown, unknown>, items: unknown[]): void => {
    if (items.length % 2) fail('odd number of dict items');
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const nestedTooDeep = (what: string): never => {
    throw new UserError(
      `${source}: refused to load: ${what} at byte ${opPos}, far beyond a state dict's nesting`,
    );
  };
  const tooLong = (what: string): never => {
    throw new UserError(
      `${source}: refused to load: an integer of ${what} at byte ${opPos}, far beyond any checkpoint's ` +
        'integers (epochs, counters, sizes)',
    );
  };
  // LONG1/LONG4 payload (little-endian two's complement), built from hex in one pass.
  const littleInt = (length: number): number | bigint => {
    if (length > MAX_INT_BYTES) tooLong(`${length} bytes`);
    const data = take(length);
    if (data.length === 0) return 0;
    let hex = '0x';
    for (let i = data.length - 1; i >= 0; i--) hex += data[i]!.toString(16).padStart(2, '0');
    let value = BigInt(hex);
    if (data[data.length - 1]! & 0x80) value -= 1n << BigInt(8 * data.length);
    return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  };
  const decimal = (text: string): number | bigint => {
    const digits = text.endsWith('L') ? text.slice(0, -1) : text;
    if (digits.length > MAX_INT_DIGITS) tooLong(`${digits.length} digits`);
    if (!/^[-+]?\d+$/.test(digits)) fail(`bad integer literal ${JSON.stringify(text)}`);
    const value = BigInt(digits);
    return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  };

  while (true) {
    if (stack.length > MAX_STACK) nestedTooDeep(`more than ${MAX_STACK} values pending on the stack`);
    opPos = pos;
    const op = u8();
    switch (op) {
      case 0x80: {
        const protocol = u8();
        if (protocol > 5) fail(`unknown pickle protocol ${protocol}`);
        break;
      }
      case 0x95: // FRAME: a length prefix only
        u64();
        break;
      case 0x2e: // STOP
        if (metastack.length) fail('unclosed MARK at STOP');
        return pop();
      case 0x28: // MARK
        if (metastack.length >= MAX_MARK_DEPTH) nestedTooDeep(`MARKs nested ${MAX_MARK_DEPTH} deep`);
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4);
        pos += 4;
        stack.push(view.getInt32(pos - 4, true));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(littleInt(u8()));
        break;
      case 0x8b: // LONG4
        stack.push(littleInt(u32()));
        break;
      case 0x49: {
        // INT (protocol 0): '01'/'00' are the booleans
        const value = line();
        stack.push(value === '01' ? true : value === '00' ? false : decimal(value));
        break;
      }
      case 0x4c: // LONG (protocol 0)
        stack.push(decimal(line()));
        break;
      case 0x47: // BINFLOAT: big-endian float64
        need(8);
        pos += 8;
        stack.push(view.getFloat64(pos - 8, false));
        break;
      case 0x46: {
        // FLOAT (protocol 0)
        const value = Number(line());
        if (Number.isNaN(value)) fail('bad float literal');
        stack.push(value);
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()));
        break;
      case 0x54: // BINSTRING (Python 2 str)
        stack.push(latin1.decode(take(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(new Uint8Array(take(u32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(new Uint8Array(take(u8())));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(new Uint8Array(take(u64())));
        break;
      case 0x29: // EMPTY_TUPLE
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x74: // TUPLE
      case 0x6c: {
        // LIST (popMark swaps `stack`, so read it only after the pop)
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x64: {
        // DICT
        const dict = new Map();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x61: {
        // APPEND
        const value = pop();
        asList(top()).push(value);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = asList(top());
        for (const item of items) list.push(item);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        asDict(top()).set(key, value);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(asDict(top()), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x70: // PUT (protocol 0)
        memo.set(Number(decimal(line())), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x67: // GET (protocol 0)
        stack.push(memoGet(Number(decimal(line()))));
        break;
      case 0x63: {
        // GLOBAL: 'module\nname\n'
        const module = line();
        const name = line();
        stack.push(hooks.resolveGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(hooks.resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
        stack.push(hooks.reduce(callable, args as unknown[]));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        hooks.build(top(), state);
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x50: // PERSID (protocol 0)
        stack.push(hooks.persistentLoad(line()));
        break;
      default: {
        const name = OPCODE_NAMES.get(op);
        if (name) {
          throw new UserError(
            `${source}: refused pickle opcode ${name} at byte ${opPos}: it constructs arbitrary objects, ` +
              'which a weights-only checkpoint never needs',
          );
        }
        throw new UserError(
          `${source}: unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${opPos} ` +
            '(not a PyTorch checkpoint, or a corrupt one)',
        );
      }
    }
  }
}
