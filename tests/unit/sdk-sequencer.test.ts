import assert from 'node:assert/strict';
import { Sequencer } from '../../client-sdk/src/sequencer';

type E = { seq: number; tag?: string };

function make() {
  const applied: number[] = [];
  const s = new Sequencer<E>((e) => applied.push(e.seq));
  return { s, applied };
}

describe('sdk: Sequencer (apply each seq once, in order)', () => {
  it('holds live events until the first resume, then applies missed and held in order', () => {
    const { s, applied } = make();
    s.push({ seq: 6 });
    s.push({ seq: 5 });
    assert.deepEqual(applied, []);
    const gap = s.resume(3, [{ seq: 4 }, { seq: 5 }], 5);
    assert.equal(gap, false);
    assert.deepEqual(applied, [4, 5, 6]);
    assert.equal(s.last, 6);
  });

  it('ignores events at or below the last seq (live and replayed duplicates)', () => {
    const { s, applied } = make();
    s.resume(10, [], 10);
    s.push({ seq: 9 });
    s.push({ seq: 10 });
    s.push({ seq: 11 });
    s.push({ seq: 11 });
    assert.deepEqual(applied, [11]);
  });

  it('holds an early event and reports the gap; the missing one fills it', () => {
    const { s, applied } = make();
    s.resume(0, [], 0);
    assert.equal(s.push({ seq: 2 }), true);
    assert.equal(s.heldCount, 1);
    assert.equal(s.push({ seq: 1 }), false);
    assert.deepEqual(applied, [1, 2]);
    assert.equal(s.heldCount, 0);
  });

  it('a rejoin with since=last applies exactly what was missed, whatever arrived live twice', () => {
    const { s, applied } = make();
    s.resume(0, [], 0);
    s.push({ seq: 1 });
    s.push({ seq: 3 }); // 2 lost
    s.hold();
    s.push({ seq: 4 }); // arrives live during the rejoin
    const gap = s.resume(s.last!, [{ seq: 2 }, { seq: 3 }, { seq: 4 }], 4);
    assert.equal(gap, false);
    assert.deepEqual(applied, [1, 2, 3, 4]);
  });

  it('reports a gap when missed stops short of the seq the server reported', () => {
    const { s } = make();
    assert.equal(s.resume(5, [{ seq: 6 }], 8), true);
    assert.equal(s.last, 6);
  });

  it('after a reset the base jumps and older held events are dropped', () => {
    const { s, applied } = make();
    s.resume(1, [], 1);
    s.hold();
    s.push({ seq: 40 });
    s.push({ seq: 41 });
    s.push({ seq: 42 });
    assert.equal(s.resume(41, [], 41), false);
    assert.deepEqual(applied, [42]);
  });
});
