// The registry's pages: the territory, a school, a pupil, imports and import requests.
import './messages'; // its words, added to the dictionary before its pages show
import type { WebModule } from '../../core/module';
import { ImportPage } from './Import';
import { PupilPage } from './Pupil';
import { RequestsPage } from './Requests';
import { SchoolPage } from './School';
import { Territory } from './Territory';

export const module: WebModule = {
  pages: {
    '': (_, me) => <Territory me={me} />,
    t: ([node], me) => <Territory me={me} node={node} />,
    school: ([code]) => <SchoolPage code={code ?? ''} />,
    pupil: ([massar]) => <PupilPage massar={massar ?? ''} />,
    import: (_, me) => <ImportPage me={me} />,
    requests: () => <RequestsPage />,
  },
};
