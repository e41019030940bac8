import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/lib/session';

export default async function Home() {
  const principal = await currentPrincipal();
  redirect(!principal ? '/sign-in' : principal.roles.includes('admin') ? '/workspace' : '/releases');
}
