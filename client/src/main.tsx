import { render } from 'solid-js/web';
import { App } from './app';
import { restoreSession } from './features/auth/session';
import { requestPersistentStorage } from './pwa/register';
import { startWedgeRouter } from './scanner/wedge-router';
import './styles.css';

// First: the scanner's keys recorded while the app loaded are taken over before anything else runs.
startWedgeRouter();
void restoreSession();
void requestPersistentStorage();
render(() => <App />, document.getElementById('root')!);
