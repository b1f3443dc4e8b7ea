import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';

function Dashboard() {
  return <h1>Operator dashboard</h1>;
}

render(<Dashboard />, document.getElementById('root')!);
