// Trust rules that need no server: word matching, keyword stuffing, client addresses,
// names, origins and the sites file.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressKey, clientAddress } from '../../server/src/trust/address';
import { looksStuffed, measureStuffing } from '../../server/src/trust/pipeline/keyword-stuffing';
import { matchingForm, WordList, wordsOf } from '../../server/src/trust/pipeline/words';
import { cleanName, sanitizeBody } from '../../server/src/trust/sanitize';
import { loadSites, originAllowed, parseSites } from '../../server/src/trust/sites';

describe('trust rules', () => {
  it('matches words after NFKC, case folding and dropping invisibles, keeping joiners in stored text', () => {
    assert.equal(matchingForm('ＳＣＡＭ'), 'scam');
    assert.equal(matchingForm('Stra\u00DFe'), 'strasse');
    assert.equal(matchingForm('sc\u200Bam\u202E'), 'scam');
    const list = new WordList(['scam', 'धोखा', 'lottery ticket', 'fraud*']);
    assert.equal(list.find(wordsOf('a SC\u2060AM here')), 'scam');
    assert.equal(list.find(wordsOf('यह धो\u200Dखा है')), 'धोखा');
    assert.equal(list.find(wordsOf('यह धो\u200Cखा है')), 'धोखा');
    assert.equal(list.find(wordsOf('Lottery\u00A0TICKET')), 'lottery ticket');
    assert.equal(list.find(wordsOf('fraudulent')), 'fraud*');
    assert.equal(list.find(wordsOf('scampi धोखाधड़ी lottery')), null);
    const body = sanitizeBody('क्\u200dष और क्\u200cष');
    assert.ok(body.text.includes('क्\u200dष') && body.text.includes('क्\u200cष'), 'ZWJ/ZWNJ kept');
  });

  it('tells keyword lines from sentences', () => {
    assert.ok(looksStuffed(measureStuffing('chhattisgarh news cg news english newspaper in raipur hindi newspaper in raipur hindi news')));
    assert.ok(looksStuffed(measureStuffing('best loans cheap loans fast loans instant loans easy loans online loans')));
    assert.ok(!looksStuffed(measureStuffing('Defence cooperation badhega to region me balance bigdega. Bahut sahi analysis.')));
    assert.ok(!looksStuffed(measureStuffing('मुझे लगता है कि सरकार को इस मामले में जल्दी फैसला लेना चाहिए')));
    assert.ok(!looksStuffed(measureStuffing('news news news')), 'short texts are never judged');
  });

  it('keys addresses: IPv4 as is, IPv6 by /64, X-Forwarded-For only behind trusted proxies', () => {
    assert.equal(addressKey('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:DB8:1:2::ffff'), '2001:db8:1:2::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(clientAddress('10.0.0.1', '198.51.100.7', 0), '10.0.0.1');
    assert.equal(clientAddress('10.0.0.1', '198.51.100.7, 10.0.0.2', 1), '10.0.0.2');
    assert.equal(clientAddress('10.0.0.1', '198.51.100.7, 10.0.0.2', 2), '198.51.100.7');
    assert.equal(clientAddress('10.0.0.1', undefined, 1), '10.0.0.1');
  });

  it('cleans names: bidi and invisible characters out, whitespace collapsed, 80 characters', () => {
    assert.equal(cleanName('  \u202EAdmin\u202C \u200B  Team\u2066 '), 'Admin Team');
    assert.equal(cleanName('क्\u200dष'), 'क्\u200dष');
    assert.equal([...cleanName('न'.repeat(100))].length, 80);
  });

  it('matches origins by pattern, with * only inside host names and ports', () => {
    const [site] = parseSites([{ id: 'news', secret: 's'.repeat(32), origins: ['https://*.news.example', 'http://localhost:*'] }]);
    assert.ok(originAllowed(site!, 'https://hindi.news.example'));
    assert.ok(originAllowed(site!, 'http://localhost:5173'));
    assert.ok(originAllowed(site!, undefined), 'no Origin: not a browser');
    for (const o of ['https://news.example.evil', 'https://evil.example/.news.example', 'http://localhost:1@evil.example', 'https://x.news.example.evil.example', 'null']) {
      assert.ok(!originAllowed(site!, o), o);
    }
  });

  it('refuses a bad sites file with a message naming the field', () => {
    const bad = (sites: unknown, field: RegExp) => assert.throws(() => parseSites(sites, 'SITES_FILE x'), field);
    bad([{ id: 'news', secret: 'short', origins: [] }], /field "secret".*32 bytes/);
    bad([{ id: 'News!', secret: 's'.repeat(32) }], /field "id"/);
    bad([{ id: 'news', secret: 's'.repeat(32), limits: { 'post:everything': { points: 1, duration: 1 } } }], /field "limits/);
    bad([{ id: 'news', secret: 's'.repeat(32), limits: { 'post:ip': { points: 0, duration: 1 } } }], /field "limits.post:ip.points"/);
    bad([{ id: 'news', secret: 's'.repeat(32), admin: true }], /unrecognized|admin/i);
    bad([{ id: 'a', secret: 's'.repeat(32) }, { id: 'a', secret: 's'.repeat(32) }], /appears twice/);
    bad([], /non-empty/);
    assert.equal(parseSites([{ id: 'demo', secret: 'demo-secret' }])[0]!.id, 'demo', 'the demo site may keep its short secret');
    const dir = mkdtempSync(join(tmpdir(), 'charcha-sites-'));
    writeFileSync(join(dir, 'bad.json'), '{not json');
    assert.throws(() => loadSites(join(dir, 'bad.json')), /not valid JSON/);
    assert.throws(() => loadSites(join(dir, 'missing.json')), /cannot read/);
  });
});
