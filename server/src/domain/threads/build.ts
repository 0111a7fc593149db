// A thread read straight from the database: the article document, then every comment readers
// can see (replies included) in one query. The article is read first: its seq is what the
// thread claims, and the comments read after it reflect at least that much (a write is stored
// before its event is appended), maybe a little more, which the events after that seq replace.
import { articleKey, type ArticleDoc, type CommentDoc, type Models } from '../../store/models';
import { positiveTotals } from '../reaction-counters';
import { readerView } from '../views';
import { Thread } from './thread';

export async function buildThread(models: Models, site: string, article: string): Promise<Thread> {
  const started = Date.now();
  const doc = await models.Article.findOne({ _id: articleKey(site, article) }).lean<ArticleDoc>();
  // `visible`: published, or a tombstone kept for its visible replies (the lifecycle keeps it).
  const docs = await models.Comment.find({ site, article, visible: true }).lean<CommentDoc[]>();
  const fields = { locked: doc?.locked ?? false, reactions: positiveTotals(doc?.reactions), premod: doc?.premod ?? null };
  return new Thread(site, article, doc?.seq ?? 0, fields, docs.map((d) => readerView(d)), started);
}
