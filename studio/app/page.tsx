import { redirect } from 'next/navigation';
import { homeFor } from '@/lib/roles';
import { currentPrincipal } from '@/lib/session';

export default async function Home() {
  const principal = await currentPrincipal();
  redirect(!principal ? '/sign-in' : homeFor(principal.roles));
}
