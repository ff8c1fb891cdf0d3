/**
 * Words the fault groups and their pages share (browser-safe): the labels of the
 * breakdowns' odd cases, and which groups are the scheduler's "No valid host".
 */
import { NO_VALID_HOST } from '../nova/constants';

/** The flavor breakdown's label for an embedded copy that cannot be read. */
export const UNKNOWN_FLAVOR = '(flavor unreadable)';
/** The image breakdown's label for an instance with no image (booted from a volume). */
export const NO_IMAGE = '(boot from volume)';

/**
 * Whether a group is nova's NoValidHost ("No valid host was found. <reason>"): the
 * scheduler found no host with room for the flavor, so the cells' capacity for that
 * flavor is the next thing to look at.
 */
export function isNoValidHost(key: string): boolean {
  return key.startsWith(NO_VALID_HOST);
}
