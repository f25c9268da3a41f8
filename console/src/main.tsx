import { render } from 'preact';
import { App } from './app.js';
import { lang, t } from './i18n.js';
import './styles.css';

document.documentElement.lang = lang;
document.title = t.consoleTitle;

const root = document.getElementById('app');
if (root) render(<App />, root);
