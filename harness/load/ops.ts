import type { OpName } from '../results/types.ts';

/** The operations, in the order the driver indexes them (write 0, read 1, delete 2). */
export const OPS: readonly OpName[] = ['write', 'read', 'delete'];
