import { describe, expect, it } from 'vitest';
import { isUserError, UserError } from './errors.js';

describe('UserError', () => {
  it('recognises the class and its subclasses, not other errors', () => {
    class StoreLikeError extends UserError {}
    expect(isUserError(new UserError('bad flag'))).toBe(true);
    expect(isUserError(new StoreLikeError('bad store'))).toBe(true);
    expect(new StoreLikeError('x').name).toBe('UserError');
    expect(isUserError(new Error('bug'))).toBe(false);
    expect(isUserError('text')).toBe(false);
  });

  it('recognises a user error made by another copy of the module (bundled script)', () => {
    const foreign = new Error('from a second copy');
    Object.defineProperty(foreign, Symbol.for('@ugpnet/core.UserError'), { value: true });
    expect(isUserError(foreign)).toBe(true);
  });
});
