// A database written by the previous version (articles and users under ObjectIds with unique
// indexes on {site, article} and {site, userId}, comments without rev or visible, posts made
// idempotent by a unique index) is brought up to date on start, once, and serves as before.
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { http } from '../helpers/clients';
import { freshDatabaseUri } from '../helpers/db';
import { startTestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';

const API = '/api/v1/sites/demo';

describe('migrations', function () {
  this.timeout(120_000);

  it('migrates a database of the previous version once, and idempotently', async () => {
    const uri = await freshDatabaseUri('mig');
    const raw = await mongoose.createConnection(uri, { maxPoolSize: 1 }).asPromise();
    const db = raw.db!;
    const parentId = new mongoose.Types.ObjectId();
    const replyId = new mongoose.Types.ObjectId();
    await db.collection('articles').createIndex({ site: 1, article: 1 }, { unique: true });
    await db.collection('users').createIndex({ site: 1, userId: 1 }, { unique: true });
    await db.collection('comments').createIndex({ site: 1, 'author.id': 1, clientId: 1 }, { unique: true });
    await db.collection('articles').insertOne({ _id: new mongoose.Types.ObjectId(), site: 'demo', article: 'old-1', seq: 2, commentCount: 1, topLevelCount: 1, reactions: {}, locked: false, premod: null, createdAt: new Date() } as never);
    await db.collection('users').insertOne({ _id: new mongoose.Types.ObjectId(), site: 'demo', userId: 'alice', name: 'Alice', state: 'banned', bannedUntil: null, reason: 'old', comments: 1, rejected: 0, spam: 0, createdAt: new Date() } as never);
    const base = { site: 'demo', article: 'old-1', ancestors: [], replyTo: null, reasons: [], flags: [], flagCount: 0, decidedBy: null, decisions: 0, reactions: {}, score: 0, editedAt: null };
    await db.collection('comments').insertMany([
      { ...base, _id: parentId, parentId: null, depth: 0, author: { id: 'bob', name: 'Bob' }, clientId: 'p', body: '', text: '', status: 'deleted', replyCount: 1, seq: 2, createdAt: new Date() },
      { ...base, _id: replyId, parentId, ancestors: [parentId], depth: 1, author: { id: 'carol', name: 'Carol' }, clientId: 'r', body: 'पुराना जवाब', text: 'पुराना जवाब', status: 'published', replyCount: 0, seq: 1, createdAt: new Date() },
    ] as never);
    await raw.close();

    const server = await startTestServer({ mongoUri: uri });
    try {
      const { Article, User, Comment } = server.app.services.models;
      const article = await Article.findOne({ site: 'demo', article: 'old-1' }).lean();
      assert.equal(article!._id, 'demo:old-1');
      assert.equal(article!.seq, 2);
      assert.equal((await User.findOne({ site: 'demo', userId: 'alice' }).lean())!._id, 'demo:alice');
      const [parent, reply] = await Promise.all([Comment.findById(parentId).lean(), Comment.findById(replyId).lean()]);
      assert.deepEqual([parent!.rev, parent!.visible, reply!.rev, reply!.visible], [1, true, 1, true]);
      // The thread reads as before, the ban still holds, and the new paths work on old records.
      const page = await http(server.url, 'GET', `${API}/articles/old-1/comments`);
      assert.equal(page.body.comments[0].status, 'deleted');
      assert.equal(page.body.comments[0].replies[0].body, 'पुराना जवाब');
      const alice = await signToken({ sub: 'alice', name: 'Alice' });
      assert.equal((await http(server.url, 'POST', `${API}/articles/old-1/comments`, { token: alice, body: { body: 'नया', clientId: 'n1' } })).status, 403);
      const carol = await signToken({ sub: 'carol', name: 'Carol' });
      const retried = await http(server.url, 'POST', `${API}/articles/old-1/comments`, { token: carol, body: { body: 'पुराना जवाब', clientId: 'r' } });
      assert.equal(retried.status, 200, 'a retry of a recent post is still recognised (its key was backfilled)');
      assert.equal(retried.body.id, String(replyId));
      const posted = await http(server.url, 'POST', `${API}/articles/old-2/comments`, { token: carol, body: { body: 'नया', clientId: 'r' } });
      assert.equal(posted.status, 201, 'the old unique index on clientId is gone: keys are per article now');
      assert.equal((await http(server.url, 'GET', `${API}/articles/old-2`)).body.commentCount, 1);
      const indexes = (await server.db.conn.collection('articles').indexes()).map((i) => i.name);
      assert.ok(!indexes.includes('site_1_article_1'));
    } finally {
      await server.close();
    }
    // A second start changes nothing.
    const again = await startTestServer({ mongoUri: uri });
    try {
      const { Article, User } = again.app.services.models;
      assert.equal(await Article.countDocuments({ site: 'demo', article: 'old-1' }), 1);
      assert.equal(await User.countDocuments({ site: 'demo' }), 2);
      const done = await again.db.conn.collection('migrations').countDocuments({});
      assert.equal(done, 4);
      const collections = (await again.db.conn.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      for (const name of ['thread_snapshots', 'thread_snapshot_locks']) assert.ok(collections.includes(name), `${name} created`);
    } finally {
      await again.close();
    }
  });
});
