// Moving comments in: Disqus and WordPress exports and Charcha's own, read as a stream,
// placed, written in batches and counted. The only door to domain/imports. docs/IMPORT.md.
export { runImport, type ImportDeps, type ImportRequest } from './importer';
export { ImportJobs, STALE_MS, type ImportJobInput, type ImportJobView } from './jobs';
export { FORMATS, MAPS, type ImportFormat, type MapMode } from './records';
export type { ImportProgress, ImportSummary, ThreadLine } from './summary';
export { importedAuthorId, isImportedAuthor } from './identity';
