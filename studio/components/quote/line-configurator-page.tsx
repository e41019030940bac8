'use client';

import { useRouter } from 'next/navigation';
import type { ComponentProps } from 'react';
import { LineConfigurator } from './line-configurator';

/** The configurator on its page: saving returns to the quote, which shows the line's new state. */
export function LineConfiguratorPage({ quoteId, ...props }: Omit<ComponentProps<typeof LineConfigurator>, 'onSaved'> & { quoteId: string }) {
  const router = useRouter();
  return <LineConfigurator {...props} onSaved={() => router.push(`/quotes/${quoteId}`)} />;
}
