// The event log's seq, with two writers on separate connections (as two nodes are): every
// append gets its own seq, the log has no gaps, and a writer with a warm cache cannot starve
// the other.
import assert from 'node:assert/strict';
import { EventLog, eventKey } from '../../server/src/domain/events';
import { connectDatabase, type Database } from '../../server/src/store/connection';
import { buildModels, ensureIndexes } from '../../server/src/store/models';
import { freshDatabaseUri } from '../helpers/db';

describe('event log across two writers', function () {
  this.timeout(180_000);
  const dbs: Database[] = [];
  after(async () => Promise.all(dbs.map((d) => d.close())));

  async function twoWriters(name: string) {
    const uri = await freshDatabaseUri(name);
    const logs = [];
    for (let i = 0; i < 2; i++) {
      const db = await connectDatabase(uri);
      dbs.push(db);
      const models = buildModels(db.conn);
      if (i === 0) await ensureIndexes(models);
      await models.Article.create({ site: 's', article: 'a' }).catch(() => undefined);
      logs.push(new EventLog(models, 3600_000));
    }
    return logs;
  }

  it('hands out 1..400 once each to two nodes appending to one article at once', async () => {
    const logs = await twoWriters('events');
    const PER_NODE = 200;
    const seqs = await Promise.all(
      logs.map((log, node) =>
        Promise.all(Array.from({ length: PER_NODE }, (_, i) => log.append('s', 'a', 'comment:deleted', { id: `n${node}-${i}` }).then((e) => e.seq))),
      ),
    );
    const all = seqs.flat().sort((x, y) => x - y);
    assert.deepEqual(all, Array.from({ length: 2 * PER_NODE }, (_, i) => i + 1));
    const replay = await logs[0]!.replay('s', 'a', 0);
    assert.equal(replay.missed?.length, 2 * PER_NODE);
    assert.equal(replay.seq, 2 * PER_NODE);
  });

  it('stores batches at consecutive seqs in their order, racing single appends of another node', async () => {
    const [batcher, single] = await twoWriters('event-batches');
    const ROUNDS = 40;
    const BATCH = 6;
    const sent = new Map<string, number>();
    for (let r = 0; r < ROUNDS; r++) {
      const [batch, ones] = await Promise.all([
        batcher!.appendMany('s', 'a', Array.from({ length: BATCH }, (_, i) => ({ type: 'comment:deleted' as const, payload: { id: `b${r}-${i}` } }))),
        Promise.all([0, 1].map((i) => single!.append('s', 'a', 'comment:deleted', { id: `o${r}-${i}` }))),
      ]);
      // The batch comes back in the order given, each with the seq it is stored under.
      assert.deepEqual(batch.map((e: any) => e.id), Array.from({ length: BATCH }, (_, i) => `b${r}-${i}`));
      for (let i = 1; i < batch.length; i++) assert.ok(batch[i]!.seq > batch[i - 1]!.seq);
      for (const e of [...batch, ...ones] as any[]) sent.set(e.id, e.seq);
    }
    // Another node's insert landing inside a batch's range while it is written (article b): the
    // batch keeps what it stored before that seq and moves the rest past it.
    const { Event } = (single as any).models;
    await Event.create({ _id: eventKey('s', 'b', 3), site: 's', article: 'b', seq: 3, type: 'comment:deleted', payload: { id: 'inside' }, at: new Date() });
    const split = await batcher!.appendMany('s', 'b', [0, 1, 2, 3].map((i) => ({ type: 'comment:deleted' as const, payload: { id: `split-${i}` } })));
    assert.deepEqual(split.map((e) => e.seq), [1, 2, 4, 5]);
    for (const e of split) assert.equal((await Event.findById(eventKey('s', 'b', e.seq)).lean()).payload.id, (e as any).id);

    const total = ROUNDS * (BATCH + 2);
    assert.deepEqual([...sent.values()].sort((x, y) => x - y), Array.from({ length: total }, (_, i) => i + 1));
    // What each writer said it stored is what the log holds, once each, without gaps.
    const replay = await single!.replay('s', 'a', 0);
    assert.equal(replay.seq, total);
    for (const e of replay.missed as any[]) assert.equal(sent.get(e.id), e.seq, `event ${e.id}`);
  });
});

