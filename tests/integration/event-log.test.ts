// The event log's seq, with two writers on separate connections (as two nodes are): every
// append gets its own seq, the log has no gaps, and a writer with a warm cache cannot starve
// the other.
import assert from 'node:assert/strict';
import { EventLog } from '../../server/src/domain/events';
import { connectDatabase, type Database } from '../../server/src/store/connection';
import { buildModels, ensureIndexes } from '../../server/src/store/models';
import { freshDatabaseUri } from '../helpers/db';

describe('event log across two writers', function () {
  this.timeout(180_000);
  const dbs: Database[] = [];
  after(async () => Promise.all(dbs.map((d) => d.close())));

  it('hands out 1..400 once each to two nodes appending to one article at once', async () => {
    const uri = await freshDatabaseUri('events');
    const logs = [];
    for (let i = 0; i < 2; i++) {
      const db = await connectDatabase(uri);
      dbs.push(db);
      const models = buildModels(db.conn);
      if (i === 0) await ensureIndexes(models);
      await models.Article.create({ site: 's', article: 'a' }).catch(() => undefined);
      logs.push(new EventLog(models, 3600_000));
    }
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
});
