// Scoped kernel thread counts (src/compute/kernel-threads.ts): overlapping scopes, the count
// restored however a function ends, and the real addon's count where it is built.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ThreadScopes } from '../../src/compute/kernel-threads.js';
import { kernelThreads, openKernelThreads, withKernelThreads } from '../../src/compute/index.js';
import { nativeSkipReason } from '../helpers/native-skip.js';

/** A stand-in for the addon's thread setting, recording every write. */
function fakeCounter(start: number): { scopes: ThreadScopes; value: () => number; writes: number[] } {
  let value = start;
  const writes: number[] = [];
  const scopes = new ThreadScopes(() => value, (n) => {
    value = n;
    writes.push(n);
  });
  return { scopes, value: () => value, writes };
}

describe('ThreadScopes', () => {
  it('applies the smallest open request and restores the starting count when the last scope closes', () => {
    const c = fakeCounter(4);
    const a = c.scopes.enter(2);
    assert.equal(c.value(), 2);
    const b = c.scopes.enter(1);
    assert.equal(c.value(), 1);
    const wider = c.scopes.enter(3);
    assert.equal(c.value(), 1, 'a wider request inside a narrower one does not widen it');
    b();
    assert.equal(c.value(), 2);
    b(); // closing twice changes nothing
    assert.equal(c.value(), 2);
    a();
    wider();
    assert.equal(c.value(), 4);
    assert.equal(c.scopes.depth, 0);
  });

  it('scopes that close out of order still end on the starting count', () => {
    const c = fakeCounter(3);
    const a = c.scopes.enter(1);
    const b = c.scopes.enter(2);
    a();
    assert.equal(c.value(), 2);
    b();
    assert.equal(c.value(), 3);
  });

  it('rejects a count that is not a positive integer', () => {
    const c = fakeCounter(2);
    assert.throws(() => c.scopes.enter(0), /kernel threads must be a positive integer, got 0/);
    assert.throws(() => c.scopes.enter(1.5), /got 1.5/);
    assert.deepEqual(c.writes, []);
  });
});

describe('withKernelThreads on the native addon', { skip: nativeSkipReason() }, () => {
  it('runs the function on the asked count and restores the count after a return, a throw and a rejection', async () => {
    const restore = openKernelThreads(2);
    try {
      assert.equal(kernelThreads(), 2);
      assert.equal(withKernelThreads(1, () => kernelThreads()), 1);
      assert.equal(kernelThreads(), 2);
      assert.throws(() => withKernelThreads(1, () => {
        assert.equal(kernelThreads(), 1);
        throw new Error('boom');
      }), /boom/);
      assert.equal(kernelThreads(), 2, 'restored after a throw');
      await assert.rejects(withKernelThreads(1, async () => {
        await new Promise((r) => setTimeout(r, 1));
        assert.equal(kernelThreads(), 1, 'held across an await');
        throw new Error('late boom');
      }), /late boom/);
      assert.equal(kernelThreads(), 2, 'restored after a rejection');
    } finally {
      restore();
    }
  });
});
