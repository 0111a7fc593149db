// Where a site's webhooks may send: the configuration of each target (validated with the
// site), and the address check made before every request. A receiver's URL names a host; its
// name is resolved first and every address it resolves to must be a public unicast one (no
// loopback, private, link-local, multicast or reserved range), unless the target says
// `allowPrivateTargets` (a receiver on the same network, or a test). The request then goes to
// the address that was checked, never to a second resolution (DNS rebinding).
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

export const WEBHOOK_EVENTS = [
  'comment.published',
  'comment.held',
  'comment.rejected',
  'comment.deleted',
  'comment.reply',
  'flag.threshold',
  'moderation.backlog',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** `whsec_` and the base64 of at least 24 random bytes (the Standard Webhooks secret form). */
const Secret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'a secret of the form whsec_<base64>')
  .refine((s) => Buffer.from(s.slice(6), 'base64').length >= 24, { message: 'whsec_ followed by the base64 of at least 24 random bytes' });

export const WebhookConfigSchema = z
  .object({
    /** Stable name of the target (its deliveries and state are kept under it); default: from the URL. */
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _').optional(),
    url: z
      .string()
      .url()
      .refine((u) => /^https?:$/.test(new URL(u).protocol), { message: 'an http or https URL' })
      .refine((u) => !new URL(u).username && !new URL(u).password, { message: 'a URL without user info' }),
    secret: Secret,
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1),
    allowPrivateTargets: z.boolean().default(false),
  })
  .strict();

export type WebhookConfig = z.infer<typeof WebhookConfigSchema> & { id: string };

/** A site's webhooks, each with an id (its own, or `url-` and a hash of its URL); ids unique. */
export const WebhookListSchema = z
  .array(WebhookConfigSchema)
  .max(20)
  .default([])
  .transform((list, ctx) => {
    const out: WebhookConfig[] = [];
    const seen = new Set<string>();
    for (const [i, w] of list.entries()) {
      const id = w.id ?? defaultWebhookId(w.url);
      if (seen.has(id)) {
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `webhook id "${id}" is used twice; give each webhook its own "id"` });
        return z.NEVER;
      }
      seen.add(id);
      out.push({ ...w, id });
    }
    return out;
  });

function defaultWebhookId(url: string): string {
  // FNV-1a over the URL: short, stable, and needs no import of crypto in the configuration.
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(url)) h = Math.imul(h ^ ch, 0x01000193) >>> 0;
  return `url-${h.toString(16).padStart(8, '0')}`;
}

export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

/** Whether an address is one a webhook may reach without `allowPrivateTargets`. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/**
 * Resolves `host` and checks every address it has; answers the addresses to connect to.
 * Throws TargetRefused when any of them is not public and the target does not allow it.
 */
export async function checkedAddresses(host: string, allowPrivate: boolean): Promise<LookupAddress[]> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const addresses = ipaddr.isValid(bare) ? [{ address: bare, family: bare.includes(':') ? 6 : 4 }] : await dnsLookup(bare, { all: true, verbatim: true });
  if (addresses.length === 0) throw new TargetRefused(`${host} has no address`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) throw new TargetRefused(`${host} resolves to ${bad.address}, a private or reserved address (set allowPrivateTargets to send there)`);
  }
  return addresses;
}
