// Tayssir's pages: the cycles, a cycle, a policy and its what-if, suspected duplicates.
import './messages'; // its words, added to the dictionary before its pages show
import type { WebModule } from '../../core/module';
import { PolicyPage } from './Policy';
import { SuspectsPage } from './Suspects';
import { CyclePage, TayssirPage } from './Tayssir';

export const module: WebModule = {
  pages: {
    tayssir: ([id], me) => (id ? <CyclePage id={id} me={me} /> : <TayssirPage me={me} />),
    'tayssir-policy': ([code], me) => <PolicyPage code={code ?? ''} me={me} />,
    'tayssir-suspects': ([policy]) => <SuspectsPage policy={policy ?? ''} />,
  },
};
