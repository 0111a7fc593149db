// Batched inserts on the real database: writes that wait together go as one insertMany, and
// each caller still gets its own outcome (a duplicate key fails only its own caller, with
// code 11000), whatever else shares its batch.
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { connectDatabase, isDuplicateKey, type Database } from '../../server/src/store/connection';
import { insertGrouped } from '../../server/src/store/group-commit';
import { buildModels, ensureIndexes } from '../../server/src/store/models';
import { freshDatabaseUri } from '../helpers/db';

describe('group commit of inserts', function () {
  this.timeout(120_000);
  let db: Database;
  after(async () => db?.close());

  it('answers each of 60 concurrent inserts (30 keys twice, 5 already stored) with its own outcome', async () => {
    db = await connectDatabase(await freshDatabaseUri('group'));
    const models = buildModels(db.conn);
    await ensureIndexes(models);
    const { PostKey } = models;
    const at = new Date();
    const earlier = new Types.ObjectId();
    for (let k = 0; k < 5; k++) await PostKey.create({ _id: `key-${k}`, commentId: earlier, at });

    const sends = Array.from({ length: 60 }, (_, i) => ({ _id: `key-${i % 30}`, commentId: new Types.ObjectId(), at }));
    const outcomes = await Promise.all(
      sends.map((doc) =>
        insertGrouped(PostKey, doc).then(
          (stored) => ({ ok: true as const, stored }),
          (err: unknown) => ({ ok: false as const, duplicate: isDuplicateKey(err) }),
        ),
      ),
    );

    for (let k = 0; k < 30; k++) {
      const mine = outcomes.map((o, i) => ({ o, doc: sends[i]! })).filter(({ doc }) => doc._id === `key-${k}`);
      const won = mine.filter(({ o }) => o.ok);
      const stored = await PostKey.findOne({ _id: `key-${k}` }).lean();
      assert.ok(stored, `key-${k} stored`);
      for (const { o } of mine) if (!o.ok) assert.equal(o.duplicate, true, `key-${k}: a loser is told duplicate key`);
      if (k < 5) {
        assert.equal(won.length, 0, `key-${k} was stored before: no send wins it`);
        assert.ok(stored.commentId.equals(earlier));
      } else {
        assert.equal(won.length, 1, `key-${k}: exactly one send wins`);
        assert.ok(stored.commentId.equals(won[0]!.doc.commentId), `key-${k}: the winner's document is the stored one`);
        assert.ok((won[0]!.o as { stored: { commentId: Types.ObjectId } }).stored.commentId.equals(stored.commentId));
      }
    }
    assert.equal(await PostKey.countDocuments({}), 30);
  });
});
