/**
 * The workers given to a trainer so far (a `Worker`, a `TrainerWorker`, or a Node `Worker` that
 * ./node.ts adapts): one given again would serve two trainers, the second with the first's network.
 */
import { fail } from '../errors.js';

const taken = new WeakSet<object>();

/** Takes `worker` for one trainer, or refuses it with `refusal` where one has it already. */
export function claimWorker(worker: object, refusal: string): void {
  if (taken.has(worker)) fail(refusal);
  taken.add(worker);
}
