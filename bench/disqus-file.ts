// A generated Disqus export of any size, the same for the same seed: threads with nested
// replies (some written before the comment they answer), deleted and spam posts, Hindi and
// markup. Written as a stream. Used by the import measurement (bench/import.ts) and the tests.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export interface DisqusFileOptions {
  comments: number;
  threads: number;
  seed?: number;
}

export interface DisqusFileFacts {
  posts: number;
  bytes: number;
}

const BODIES = [
  '<p>बहुत अच्छा विश्लेषण, धन्यवाद। इस पर और लिखिए।</p>',
  '<p>I disagree with the <b>second</b> point &amp; the numbers in the table.</p>',
  '<p>सहमत हूँ।</p><p>लेकिन <i>आंकड़े</i> पुराने हैं: <a href="https://data.example.gov.in/x">स्रोत</a></p>',
  '<p>Great reporting. <script>alert(1)</script>Keep it up!</p>',
  '<p>क्या यह खबर सही है? कोई पुष्टि कर सकता है?</p>',
];
const NAMES = ['रमेश', 'Sita', 'अनीता', 'Vijay', 'प्रिया', 'Rahul', 'सुनील', 'Meera'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Writes the file at `path`; posts of one thread are spread over the file as in real exports. */
export async function writeDisqusFile(path: string, o: DisqusFileOptions): Promise<DisqusFileFacts> {
  let state = (o.seed ?? 1) >>> 0 || 1;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const out = createWriteStream(path, { encoding: 'utf8' });
  let bytes = 0;
  const write = async (s: string) => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  };
  const thread = (t: number) =>
    `  <thread dsq:id="${9000 + t}">\n    <id>generated-${t}</id>\n    <forum>bench</forum>\n` +
    `    <link>https://news.example.com/${2020 + (t % 5)}/story-${t}/</link>\n    <title>${esc(`ख़बर ${t}: generated`)}</title>\n` +
    `    <createdAt>2024-01-01T00:00:00Z</createdAt>\n    <isClosed>false</isClosed>\n    <isDeleted>false</isDeleted>\n  </thread>\n`;

  await write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n');
  // Most threads first, as Disqus writes them; the last one after the posts.
  for (let t = 0; t < o.threads - 1; t++) await write(thread(t));
  const perThread: number[][] = Array.from({ length: o.threads }, () => []);
  const base = Date.UTC(2024, 0, 1) / 1000;
  // Posts go out in blocks written backwards, so that many replies come before their parents.
  const BLOCK = 7;
  for (let start = 0; start < o.comments; start += BLOCK) {
    const block: string[] = [];
    for (let i = start; i < Math.min(start + BLOCK, o.comments); i++) {
      const t = Math.floor(random() * o.threads);
      const earlier = perThread[t]!;
      const parent = earlier.length && random() < 0.6 ? earlier[Math.floor(random() * earlier.length)] : undefined;
      earlier.push(i);
      if (earlier.length > 200) earlier.shift();
      const r = random();
      const name = NAMES[i % NAMES.length]!;
      const anonymous = i % 5 === 0;
      block.push(
        `  <post dsq:id="${100000 + i}">\n    <id/>\n    <message><![CDATA[${BODIES[i % BODIES.length]} #${i}]]></message>\n` +
          `    <createdAt>${new Date((base + i * 37) * 1000).toISOString().replace('.000', '')}</createdAt>\n` +
          `    <isDeleted>${r < 0.03}</isDeleted>\n    <isSpam>${r >= 0.03 && r < 0.05}</isSpam>\n` +
          `    <author>\n      <email>${anonymous ? '' : `user${i % 977}@example.com`}</email>\n      <name>${esc(name)}</name>\n` +
          `      <isAnonymous>${anonymous}</isAnonymous>\n      <username>${anonymous ? '' : `user${i % 977}`}</username>\n    </author>\n` +
          `    <ipAddress>127.0.0.1</ipAddress>\n    <thread dsq:id="${9000 + t}"/>\n` +
          (parent === undefined ? '' : `    <parent dsq:id="${100000 + parent}"/>\n`) +
          '  </post>\n',
      );
    }
    for (const p of block.reverse()) await write(p);
  }
  await write(thread(o.threads - 1));
  await write('</disqus>\n');
  out.end();
  await once(out, 'finish');
  return { posts: o.comments, bytes };
}
