// A cluster's chart samples, and what onboarding shows (where the console looked, what it found).
import type { ViewContext } from './context.ts';
import type { Onboarding, SamplePoint } from '../../common/contract.ts';

export function samplePoints(ctx: ViewContext, cluster: string, from?: number, to?: number): SamplePoint[] {
  ctx.clusterRow(cluster);
  const now = ctx.now();
  return ctx.views
    .samples(cluster, from ?? now - 24 * 3600_000, to ?? now)
    .map((r) => ({ at: r.at, ...(JSON.parse(r.data) as Omit<SamplePoint, 'at'>) }));
}

export function onboardingDTO(ctx: ViewContext): Onboarding {
  return {
    looked: ctx.o.live?.looked() ?? [],
    entries: ctx.o.live?.statuses().length ?? ctx.store.clusters().length,
    problems: ctx.o.live?.problems() ?? [],
    demo: !!ctx.o.demoPath,
  };
}
