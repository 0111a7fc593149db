// Every Socket.IO event Charcha takes or sends, one entry each, by namespace: the AsyncAPI
// document (api/asyncapi.ts) is made from this list, and the tests fail on an event a client
// receives that is not in it. Adding an event: add its entry here (and a namespace to
// NAMESPACES when it is a new one); see docs/API.md, "Keeping the reference whole".
import type { z } from 'zod';
import * as In from '../domain/inputs';
import * as Mod from '../domain/moderation-inputs';
import * as S from './schemas';

export interface NamespaceDoc {
  /** The channel's id in the document. */
  id: string;
  title: string;
  description: string;
}

export const NAMESPACES: Record<string, NamespaceDoc> = {
  '/': {
    id: 'reader',
    title: 'Readers',
    description:
      "Connect with `io(url, {auth: {site, token?}})`. Readers join articles' rooms and get their events, each with the article's `seq` (rising by exactly one: a gap is a missed event).",
  },
  '/moderation': {
    id: 'moderation',
    title: 'Moderators',
    description: 'Only `moderator` and `admin` tokens connect. Each socket is in its site’s moderators room: queue changes as they happen.',
  },
  '/dashboard': {
    id: 'dashboard',
    title: 'Dashboard',
    description: 'Only `moderator` and `admin` tokens connect, as on `/moderation`. The newsroom’s live numbers, at most once a second.',
  },
};

export interface EventDoc {
  namespace: keyof typeof NAMESPACES & string;
  name: string;
  /** `client`: the client emits it (with an acknowledgement); `server`: the server sends it. */
  from: 'client' | 'server';
  summary: string;
  payload: z.ZodType;
  /** The acknowledgement's answer when it succeeds (a failure answers the Error body). */
  ack?: z.ZodType;
}

const client = (namespace: string, name: string, summary: string, payload: z.ZodType, ack: z.ZodType): EventDoc => ({ namespace, name, from: 'client', summary, payload, ack });
const server = (namespace: string, name: string, summary: string, payload: z.ZodType): EventDoc => ({ namespace, name, from: 'server', summary, payload });

export const EVENTS: EventDoc[] = [
  client('/', 'article:join', "Join an article's room; with `since`, get the events after it (`missed`) or `reset`", In.JoinEvent, S.JoinAck),
  client('/', 'article:leave', "Leave an article's room", In.LeaveEvent, S.Empty),
  client('/', 'comment:post', 'Post a comment or a reply', In.PostEvent, S.CommentAnswer),
  client('/', 'comment:edit', 'Edit a comment', In.EditEvent, S.CommentAnswer),
  client('/', 'comment:delete', 'Delete a comment', In.DeleteEvent, S.Empty),
  client('/', 'reaction:set', 'Set or clear a reaction to a comment or the article', In.ReactionEvent, S.ReactionState),
  client('/', 'auth:refresh', 'A new token for the open socket', In.RefreshEvent, S.Empty),
  server('/', 'comment:created', 'A comment readers can see was stored', S.ArticleEventPayloads['comment:created']),
  server('/', 'comment:updated', 'A comment changed (edit, tombstone, decision)', S.ArticleEventPayloads['comment:updated']),
  server('/', 'comment:deleted', 'A comment left the thread', S.ArticleEventPayloads['comment:deleted']),
  server('/', 'reaction:updated', 'New reaction totals of a target (at most once per target every 250 ms)', S.ArticleEventPayloads['reaction:updated']),
  server('/', 'article:updated', 'The article was locked or unlocked, or its premoderation changed', S.ArticleEventPayloads['article:updated']),
  server('/', 'article:reset', 'The thread changed wholesale (an import): reload it', S.ArticleEventPayloads['article:reset']),
  server('/', 'notification', 'A new notification of the signed-in reader (every open socket of that reader)', S.Notification),
  server('/', 'notification:read', 'The reader’s read mark moved (in this tab or another)', S.NotificationsRead),
  server('/', 'presence', 'How many read the article now (no seq; at most once per 2 s per article)', S.Presence),
  client('/moderation', 'decide', 'Approve, reject or mark as spam', Mod.DecideEvent, S.CommentAnswer),
  client('/moderation', 'auth:refresh', 'A new moderator token; any other answer cuts the socket', In.RefreshEvent, S.Empty),
  server('/moderation', 'queue:added', 'An item entered a queue', S.QueueItem),
  server('/moderation', 'queue:updated', 'A queued comment changed (its author edited it)', S.QueueItem),
  server('/moderation', 'queue:removed', 'An item left the queues', S.QueueRemoved),
  server('/moderation', 'queue:counts', 'The queues’ sizes', S.QueueCounts),
  client('/dashboard', 'auth:refresh', 'A new staff token; any other answer cuts the socket', In.RefreshEvent, S.Empty),
  server('/dashboard', 'stats:live', 'Readers now, the most-read articles and the last hour’s posts and reactions per minute', S.DashboardLive),
];
