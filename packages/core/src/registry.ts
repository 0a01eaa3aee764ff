// A registry per kind (BasicSR style, registered explicitly): short names → builders.
// A name registered twice fails at startup; an unknown name fails listing the known ones.
import { UserError } from './errors.js';

export class Registry<T> {
  private readonly entries = new Map<string, T>();

  constructor(readonly kind: string) {}

  register(name: string, entry: T): this {
    if (this.entries.has(name)) throw new Error(`${this.kind} '${name}' is registered twice`);
    this.entries.set(name, entry);
    return this;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry for `name`; `where` names the flag or config field the name came from. */
  get(name: string, where = this.kind): T {
    const entry = this.entries.get(name);
    if (entry === undefined) {
      throw new UserError(`${where}: unknown ${this.kind} '${name}' (known: ${this.names().join(', ')})`);
    }
    return entry;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }
}
