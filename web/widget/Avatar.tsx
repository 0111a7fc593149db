// A reader's picture, or the first letter of the name on a colour picked from the name.
function firstLetter(name: string): string {
  const seg = (Intl as any).Segmenter ? new (Intl as any).Segmenter().segment(name)[Symbol.iterator]().next().value?.segment : Array.from(name)[0];
  return (seg ?? '?').toUpperCase();
}

function hue(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return h % 8;
}

export function Avatar({ name, picture }: { name: string; picture?: string }) {
  return (
    <span class={`av a${hue(name)}`} aria-hidden="true">
      {picture?.startsWith('https://') ? <img src={picture} alt="" loading="lazy" referrerpolicy="no-referrer" /> : firstLetter(name.trim())}
    </span>
  );
}
