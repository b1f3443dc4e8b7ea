import { render } from 'preact';
import '../shared/base.css';
import './app.css';
import { App } from './App';

render(<App />, document.getElementById('root')!);
