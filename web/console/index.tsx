// The moderator console at /moderate: mounts into the page's #charcha-console, whose
// data-site names the site. Styles go in one <style> element (the CSP allows no inline script).
import { render } from 'preact';
import { App } from './App';
import css from './styles.css';
import theme from './theme.css';

const root = document.getElementById('charcha-console');
if (root) {
  const style = document.createElement('style');
  style.textContent = theme + css;
  document.head.append(style);
  root.textContent = '';
  render(<App site={root.dataset.site || 'demo'} />, root);
}
