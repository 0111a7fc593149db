// The keys of the webhook collections (docs/DATA.md): a stream is one article's events for one
// webhook of a site ('' for site events), a delivery the n-th event of a stream.
const SEP = '\u0001';

export const hookKey = (site: string, hook: string) => `${site}${SEP}${hook}`;
export const streamKey = (site: string, hook: string, article: string) => `${site}${SEP}${hook}${SEP}${article}`;
export const deliveryKey = (stream: string, n: number) => `${stream}${SEP}${n}`;
export const claimKey = (delivery: string, attempt: number, generation: number) => `${delivery}#${attempt}#${generation}`;
