import { Navigate } from '@solidjs/router';
import type { Role } from '@tracetrack/shared';
import { currentUser } from '../features/auth/session';

export function homeFor(role: Role | undefined): string {
  return role === 'dispatcher' || role === undefined ? '/scan' : '/bills';
}

export default function Home() {
  return <Navigate href={homeFor(currentUser()?.role)} />;
}
