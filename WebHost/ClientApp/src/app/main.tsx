import { render } from 'preact';

function App() {
  return <h1>Actors</h1>;
}

render(<App />, document.getElementById('root')!);
