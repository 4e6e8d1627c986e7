import { render } from 'solid-js/web';
import { App } from './app';
import { restoreSession } from './features/auth/session';
import { requestPersistentStorage } from './pwa/register';
import './styles.css';

void restoreSession();
void requestPersistentStorage();
render(() => <App />, document.getElementById('root')!);
