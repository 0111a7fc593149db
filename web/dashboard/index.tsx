// The newsroom dashboard at /dashboard: mounts into the page's #charcha-dashboard, whose
// data-site names the site. Styles (its own and uPlot's) go in one <style> element.
import { render } from 'preact';
import uplotCss from 'uplot/dist/uPlot.min.css';
import { App } from './App';
import theme from '../console/theme.css';
import css from './styles.css';

const root = document.getElementById('charcha-dashboard');
if (root) {
  const style = document.createElement('style');
  style.textContent = uplotCss + theme + css;
  document.head.append(style);
  root.textContent = '';
  render(<App site={root.dataset.site || 'demo'} />, root);
}
