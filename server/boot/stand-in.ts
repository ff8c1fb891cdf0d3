import 'server-only';
/**
 * Cellar's boot engine stands in for nova's own services (nova-api accepting a boot,
 * nova-conductor and nova-scheduler placing it, nova-compute registering and reporting)
 * on the deployments Cellar makes: the embedded demo, test databases. On a deployment
 * nova made, those are nova's to do — a row Cellar wrote there in their place would be a
 * server no compute runs, or a compute node nobody reports for. So there they are refused
 * unless asked for explicitly (the CLI's --allow-on-nova, `allowOnNova` in the input).
 */
import { isNovaMade } from '@/db/schema-owner';
import type { Deps } from '../deps';
import { refuse } from '../errors';

export type StandInVerb = 'boot' | 'schedule' | 'register_compute';

const WHAT: Record<StandInVerb, { doing: string; services: string }> = {
  boot: { doing: 'Booting servers', services: 'nova-api/nova-conductor/nova-compute' },
  schedule: { doing: 'Scheduling and building servers', services: 'nova-conductor/nova-scheduler/nova-compute' },
  register_compute: { doing: 'Registering a compute host', services: 'nova-compute' },
};

export function standInMessage(verb: StandInVerb): string {
  const w = WHAT[verb];
  return (
    `${w.doing} is nova's job on a deployment nova made: Cellar does not stand in for ${w.services} there. ` +
    `Its ${verb} is for the deployments Cellar makes (the demo, tests); --allow-on-nova does it anyway.`
  );
}

/** Refuse (precondition, exit 1) when the deployment is nova's and the caller did not allow it. */
export async function refuseStandInOnNova(deps: Pick<Deps, 'api'>, verb: StandInVerb, allowOnNova: boolean | undefined): Promise<void> {
  if (allowOnNova) return;
  if (await isNovaMade(deps.api.sql)) throw refuse.precondition(standInMessage(verb), 1, { standIn: verb });
}
