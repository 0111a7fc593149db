// The HTML of /dashboard (served by server/src/http/pages.ts): the bundle does the rest.
import { renderStaffPage, type DemoAssets } from '../demo/render';

export function renderDashboardPage(o: { assets: DemoAssets; site: string }): string {
  return renderStaffPage({ ...o, bundle: 'dashboard', rootId: 'charcha-dashboard', title: 'Charcha dashboard', noscript: 'The dashboard needs JavaScript.' });
}
