/**
 * Which fitting node the scheduler tries first: nova's default weighers for the three
 * resources it claims (RAMWeigher, CPUWeigher, DiskWeigher, multiplier 1.0 each, i.e.
 * spread), each normalised over the candidates to 0…1 as nova's weights.normalize does,
 * summed. Ties go to the earlier cell and the lower node id, so a run is repeatable.
 */
import { type AllocationRatios, room } from '../nova/capacity';
import { nodeFigures, type NodeUsage } from './fit';

export interface Weighable extends NodeUsage {
  id: number;
  cellOrder: number;
}

function normalize(values: number[]): number[] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (max === min) return values.map(() => 0);
  return values.map((v) => (v - min) / (max - min));
}

/** The candidates, best first, by what is free on each under nova's capacity model. */
export function weigh<T extends Weighable>(candidates: readonly T[], initial: AllocationRatios): T[] {
  if (candidates.length <= 1) return [...candidates];
  const free = candidates.map((c) => nodeFigures(c, initial));
  const ram = normalize(free.map((f) => room(f.memoryMb)));
  const cpu = normalize(free.map((f) => room(f.vcpus)));
  const disk = normalize(free.map((f) => room(f.diskGb)));
  return candidates
    .map((c, i) => ({ c, w: ram[i]! + cpu[i]! + disk[i]! }))
    .sort((a, b) => b.w - a.w || a.c.cellOrder - b.c.cellOrder || a.c.id - b.c.id)
    .map((x) => x.c);
}
