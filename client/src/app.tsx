import { Navigate, Route, Router, type RouteSectionProps, useLocation } from '@solidjs/router';
import { lazy, Match, Show, Suspense, Switch } from 'solid-js';
import { BottomBar } from './components/bottom-bar';
import { AccountBar, TopNav } from './components/nav';
import { ScanNotice } from './components/scan-notice';
import { StatusBar } from './components/status-bar';
import { UpdatePrompt } from './components/update-prompt';
import { canUse, currentUser, isSessionChecked, pendingSetup } from './features/auth/session';
import Home from './routes/home';
import Login from './routes/login';
import Scan from './routes/scan';

// The handheld's screens load with the shell; desktop screens load on first visit (all precached).
const Inbox = lazy(() => import('./routes/inbox'));
const Bills = lazy(() => import('./routes/bills'));
const BillDetail = lazy(() => import('./routes/bill-detail'));
const BillPrint = lazy(() => import('./routes/bill-print'));
const Returns = lazy(() => import('./routes/returns'));
const ReturnTicket = lazy(() => import('./routes/return-ticket'));
const Search = lazy(() => import('./routes/search'));
const Bags = lazy(() => import('./routes/bags'));
const Dashboard = lazy(() => import('./routes/dashboard'));
const ScannerTest = lazy(() => import('./routes/scanner-test'));
const EndOfDay = lazy(() => import('./routes/end-of-day'));
const SystemHealth = lazy(() => import('./routes/system-health'));
const Labels = lazy(() => import('./routes/labels'));
const LabelPrint = lazy(() => import('./routes/label-print'));
const Users = lazy(() => import('./routes/users'));
const Account = lazy(() => import('./routes/account'));
const Audit = lazy(() => import('./routes/audit'));
const Setup = lazy(() => import('./routes/setup'));
const ForgotPassword = lazy(() => import('./routes/forgot-password'));
const ResetPassword = lazy(() => import('./routes/reset-password'));

/** Screens for people who are not signed in. */
const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/login', '/forgot-password', '/reset-password']);
const SETUP_PATH = '/setup';
const Imports = lazy(() => import('./routes/imports'));
const Devices = lazy(() => import('./routes/devices'));

function Shell(props: RouteSectionProps) {
  const location = useLocation();
  const isPublic = () => PUBLIC_PATHS.has(location.pathname);
  // A pending setup (a password set by an admin, an admin's two-step sign-in) comes first: the
  // server refuses everything else until it is done, so no other screen or link is shown.
  const isSettingUp = () => pendingSetup(currentUser()) !== null;
  return (
    <Switch>
      <Match when={!isSessionChecked()}>
        <p class="page muted">Loading…</p>
      </Match>
      <Match when={!currentUser() && !isPublic()}>
        <Navigate href="/login" />
      </Match>
      <Match when={isSettingUp() && location.pathname !== SETUP_PATH}>
        <Navigate href={SETUP_PATH} />
      </Match>
      <Match when={true}>
        <Show when={currentUser()}>
          <header class="app-header">
            <StatusBar />
            <div class="header-row">
              <Show when={!isSettingUp()}>
                <TopNav />
              </Show>
              <AccountBar />
            </div>
          </header>
          <Show when={!isSettingUp()}>
            <BottomBar />
          </Show>
        </Show>
        <UpdatePrompt />
        {/* The notice mounts with the screen (after a lazy one has loaded), so scans that came
            while the app started go to the screen's own handler, not to the notice. */}
        <Suspense>
          {props.children}
          <ScanNotice />
        </Suspense>
      </Match>
    </Switch>
  );
}

/** Screens a role may not use redirect home rather than showing controls the server would refuse. */
function requires(capability: Parameters<typeof canUse>[1], Component: () => ReturnType<typeof Scan>) {
  return () => (canUse(currentUser()?.role, capability) ? <Component /> : <Navigate href="/" />);
}

export function App() {
  return (
    <Router root={Shell}>
      <Route path="/" component={Home} />
      <Route path="/login" component={Login} />
      <Route path="/scan" component={Scan} />
      <Route path="/inbox" component={Inbox} />
      <Route path="/bills" component={requires('viewBills', Bills)} />
      <Route path="/bills/:number" component={requires('viewBills', BillDetail)} />
      <Route path="/bills/:number/print" component={requires('viewBills', BillPrint)} />
      <Route path="/returns" component={requires('returns', Returns)} />
      <Route path="/returns/:ticketId" component={requires('returns', ReturnTicket)} />
      <Route path="/search" component={requires('lists', Search)} />
      <Route path="/bags" component={requires('lists', Bags)} />
      <Route path="/dashboard" component={requires('lists', Dashboard)} />
      <Route path="/scanner-test" component={ScannerTest} />
      <Route path="/reports/end-of-day" component={requires('admin', EndOfDay)} />
      <Route path="/labels" component={requires('admin', Labels)} />
      <Route path="/labels/:id/print" component={requires('admin', LabelPrint)} />
      <Route path="/users" component={requires('admin', Users)} />
      <Route path="/audit" component={requires('audit', Audit)} />
      <Route path="/system" component={requires('systemHealth', SystemHealth)} />
      <Route path="/devices" component={requires('devices', Devices)} />
      <Route path="/account" component={Account} />
      <Route path={SETUP_PATH} component={Setup} />
      <Route path="/forgot-password" component={ForgotPassword} />
      <Route path="/reset-password" component={ResetPassword} />
      <Route path="/imports" component={requires('imports', Imports)} />
      <Route path="*" component={() => <Navigate href="/" />} />
    </Router>
  );
}
