// The HTML of /dashboard (served by server/src/http/pages.ts): the bundle does the rest.
import { esc, type DemoAssets } from '../demo/render';

export function renderDashboardPage(o: { assets: DemoAssets; site: string }): string {
  const js = o.assets.url('dashboard.js')!;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>Charcha dashboard</title>
</head>
<body>
<div id="charcha-dashboard" data-site="${esc(o.site)}"><noscript>The dashboard needs JavaScript.</noscript></div>
<script src="${esc(js)}" defer></script>
</body>
</html>
`;
}
