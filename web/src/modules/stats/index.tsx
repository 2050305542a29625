// The statistics' pages: a territory's indicators, and the pupils behind a figure.
import './messages'; // its words, added to the dictionary before its pages show
import type { WebModule } from '../../core/module';
import { StatsPage, StatsPupilsPage } from './Stats';

export const module: WebModule = {
  pages: {
    stats: ([node], me) => <StatsPage me={me} node={node} />,
    'stats-pupils': (parts) => <StatsPupilsPage parts={parts} />,
  },
};
