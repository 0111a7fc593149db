// The thread read model: what readers see of each article, held per node in memory and
// advanced by the article's events. docs/ARCHITECTURE.md, "The thread read model".
export { ThreadReads, DEFAULT_THREAD_CACHE_BYTES, type ListInput, type ReadSource, type ThreadReadsOptions } from './reads';
export { FIRST_REPLIES, type SharedAnswer, type Thread } from './thread';
export type { ThreadCacheObserver } from './cache';
export { SnapshotStore } from './snapshots';
export { SNAPSHOT_PAGE, SNAPSHOT_VERSION } from './snapshot';
