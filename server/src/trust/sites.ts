// The sites Charcha serves: loaded from SITES_FILE and validated, or the local `demo` site.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isLimitName, LIMIT_NAMES } from './limit-rules';
import { WebhookListSchema } from './webhook-targets';

export const DEFAULT_REACTIONS = ['like', 'thumbsup', 'heart', 'laugh', 'wow', 'sad', 'angry'];

const SiteSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _'),
    secret: z.string().min(1),
    origins: z.array(z.string().min(1)).default([]),
    guests: z.boolean().default(false),
    /** Refuse tokens without an `aud` claim (one that is present must always name the site). */
    requireAudience: z.boolean().default(false),
    reactions: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/)).min(1).default(DEFAULT_REACTIONS),
    premod: z.enum(['off', 'new-users', 'links', 'all']).default('off'),
    editWindowSec: z.number().int().min(0).max(7 * 24 * 3600).default(15 * 60),
    maxDepth: z.number().int().min(0).max(10).default(3),
    maxLength: z.number().int().min(1).max(50_000).default(5000),
    maxLinks: z.number().int().min(0).max(100).default(1),
    /** Distinct readers' flags that hide a published comment until a moderator decides. */
    flagsToHide: z.number().int().min(1).max(100).default(3),
    /** Spam decisions after which an author is put on premoderation. */
    spamToPremod: z.number().int().min(1).max(100).default(2),
    bannedWords: z.array(z.string().min(1)).default([]),
    suspectWords: z.array(z.string().min(1)).default([]),
    /**
     * The article ids this site has (a regular expression the whole id must match, e.g.
     * `^[0-9]{4,12}$`): a post or a reaction on any other id is refused, so nobody can make the
     * server keep articles the site never published. Unset: any valid article id.
     */
    articlePattern: z
      .string()
      .min(1)
      .max(500)
      .refine((p) => { try { new RegExp(p, 'u'); return true; } catch { return false; } }, { message: 'a regular expression' })
      .optional(),
    /** Per-site overrides of the rate limits: name → {points, duration (s)}. */
    limits: z
      .record(
        z.string().refine((k): boolean => isLimitName(k), { message: `a limit name: one of ${LIMIT_NAMES.join(', ')}` }),
        z.strictObject({ points: z.number().int().min(1).max(1_000_000), duration: z.number().int().min(1).max(7 * 24 * 3600) }),
      )
      .default({}),
    /** Signed webhooks of the site (docs/WEBHOOKS.md). */
    webhooks: WebhookListSchema,
    /** Items waiting in the moderation queues (held and flagged) past which `moderation.backlog` is sent. */
    backlogThreshold: z.number().int().min(1).max(1_000_000).default(50),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.id !== 'demo' && Buffer.byteLength(s.secret) < 32) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'must be at least 32 bytes outside the demo site' });
    }
  });

export type Site = z.infer<typeof SiteSchema>;

export const DEMO_SECRET = 'demo-secret';

export function demoSite(): Site {
  return SiteSchema.parse({
    id: 'demo',
    secret: DEMO_SECRET,
    origins: ['http://localhost:*', 'http://127.0.0.1:*'],
    guests: true,
  });
}

/** Parses a list of sites; throws an Error naming the first bad field. */
export function parseSites(raw: unknown, source = 'sites'): Site[] {
  const list = z.array(z.unknown()).min(1).safeParse(raw);
  if (!list.success) throw new Error(`${source}: expected a non-empty JSON array of sites`);
  const sites = list.data.map((entry, i) => {
    const r = SiteSchema.safeParse(entry);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new Error(`${source}: site ${i} field "${issue.path.join('.') || '(root)'}": ${issue.message}`);
    }
    return r.data;
  });
  const ids = new Set<string>();
  const bySecret = new Map<string, string>();
  for (const s of sites) {
    if (ids.has(s.id)) throw new Error(`${source}: site id "${s.id}" appears twice`);
    ids.add(s.id);
    // A token signed for one site would verify on the other: each site needs its own secret.
    const other = bySecret.get(s.secret);
    if (other !== undefined) throw new Error(`${source}: sites "${other}" and "${s.id}" have the same secret; give each site its own`);
    bySecret.set(s.secret, s.id);
  }
  return sites;
}

export function loadSites(file: string | undefined): Site[] {
  if (!file) return [demoSite()];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`SITES_FILE ${file}: cannot read (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`SITES_FILE ${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseSites(raw, `SITES_FILE ${file}`);
}

export class SiteRegistry {
  private readonly byId: Map<string, Site>;
  constructor(sites: Site[]) {
    this.byId = new Map(sites.map((s) => [s.id, s]));
  }
  get(id: string): Site | undefined {
    return this.byId.get(id);
  }
  all(): Site[] {
    return [...this.byId.values()];
  }
}

/**
 * Does `origin` match one of the site's patterns? `*` stands for a run of host-name or port
 * characters (letters, digits, `-`, `.`), so `https://*.example.com` and `http://localhost:*`
 * match what they say and nothing with a path, user info or another scheme.
 */
export function originAllowed(site: Site, origin: string | undefined): boolean {
  if (!origin) return true; // not a browser request (server-to-server, mobile app)
  return originPatterns(site).some((re) => re.test(origin));
}

const compiled = new WeakMap<Site, RegExp[]>();
function originPatterns(site: Site): RegExp[] {
  let list = compiled.get(site);
  if (!list) {
    list = site.origins.map((p) => new RegExp('^' + p.split('*').map(escapeRe).join('[A-Za-z0-9.-]*') + '$', 'i'));
    compiled.set(site, list);
  }
  return list;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
