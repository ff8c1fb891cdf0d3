/** The input of acceptBoot, validated at the boundary (browser-safe: the boot contract re-exports it). */
import { z } from 'zod';

/** One request at most; nova's own ceiling is the project's instance quota. */
export const MAX_BOOT_COUNT = 1000;
/** Used when the caller names no project or user: Cellar has no Keystone to ask. */
export const DEFAULT_PROJECT_ID = 'admin';
export const DEFAULT_USER_ID = 'admin';
/** A stand-in Glance image id for boots that name none: Cellar has no image service. */
export const DEFAULT_IMAGE_REF = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
export const DEFAULT_SERVER_NAME = 'server';

const name = (what: string) =>
  z
    .string({ error: `${what} must be text` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(255, `${what} must be at most 255 characters`);

export const acceptBootInput = z.object({
  flavor: name('The flavor name'),
  count: z
    .number({ error: 'The count must be a whole number' })
    .int('The count must be a whole number')
    .min(1, 'The count must be at least 1')
    .max(MAX_BOOT_COUNT, `The count must be at most ${MAX_BOOT_COUNT}`)
    .default(1),
  projectId: name('The project id').default(DEFAULT_PROJECT_ID),
  userId: name('The user id').default(DEFAULT_USER_ID),
  imageRef: name('The image id').default(DEFAULT_IMAGE_REF),
  name: name('The server name').default(DEFAULT_SERVER_NAME),
  /** On a deployment nova made, accepting boots is nova-api's: refused unless this is true (stand-in.ts). */
  allowOnNova: z.boolean().optional(),
});
export type AcceptBootInput = z.input<typeof acceptBootInput>;
