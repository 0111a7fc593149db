// The client's address, as rate limits and guest ids key it.

/**
 * The address a request came from: the socket's peer, or, behind `trustProxy` proxies, the
 * entry of X-Forwarded-For that the nearest trusted proxy saw.
 */
export function clientAddress(remote: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: number): string {
  if (trustProxy > 0 && forwardedFor) {
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const pick = hops[hops.length - trustProxy];
    if (pick) return addressKey(pick);
    if (hops[0]) return addressKey(hops[0]);
  }
  return addressKey(remote);
}

/** Client address as a rate-limit key: IPv4 as is, IPv6 reduced to its /64. */
export function addressKey(raw: string | undefined): string {
  if (!raw) return 'unknown';
  let ip = raw.trim();
  if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
  if (!ip.includes(':')) return ip;
  const [head] = ip.split('%');
  const parts = expandV6(head!);
  return parts.slice(0, 4).join(':') + '::/64';
}

function expandV6(ip: string): string[] {
  const [l, r] = ip.split('::');
  const left = l ? l.split(':') : [];
  const right = r !== undefined && r !== '' ? r.split(':') : [];
  const fill = ip.includes('::') ? Array(8 - left.length - right.length).fill('0') : [];
  return [...left, ...fill, ...right].map((p) => p.toLowerCase().replace(/^0+(?=.)/, ''));
}
