/**
 * The faults a failed boot leaves, written as nova writes them (cells-v2.md §2.2,
 * nova/compute/utils.py exception_to_dict / add_instance_fault_from_exc): the message
 * truncated to 255 characters, the code from the exception (NovaException 500, Invalid
 * 400), the traceback in `details` only when the code is 500, and `host` the conductor's.
 * The action event keeps the traceback frames whatever the code.
 */
import os from 'node:os';
import { NO_VALID_HOST } from '../nova/constants';

export interface BootFault {
  code: number;
  /** instance_faults.message and the event's details. */
  message: string;
  /** instance_faults.details: the traceback, only for code 500. */
  details: string;
  /** instance_actions_events.traceback. */
  traceback: string;
  /** What nova's conductor logs when it buries the instance: the sentence for people. */
  reason: string;
}

/** nova's CONF.host for the conductor: the machine's host name. */
export function conductorHost(): string {
  return os.hostname();
}

/** nova's utils.safe_truncate for instance_faults.message (VARCHAR(255)). */
export function truncateMessage(message: string): string {
  return message.length <= 255 ? message : message.slice(0, 255);
}

const PY = '/usr/lib/python3/dist-packages';
const frame = (file: string, line: number, fn: string, code: string) => `  File "${PY}/${file}", line ${line}, in ${fn}\n    ${code}\n`;

const SCHEDULE_FRAMES =
  'Traceback (most recent call last):\n' +
  frame('nova/conductor/manager.py', 1713, 'schedule_and_build_instances', 'host_lists = self._schedule_instances(context, request_specs[0],') +
  frame('nova/conductor/manager.py', 1031, '_schedule_instances', 'host_lists = self.query_client.select_destinations(') +
  frame('nova/scheduler/client/query.py', 41, 'select_destinations', 'return self.scheduler_rpcapi.select_destinations(context, spec_obj,') +
  frame('nova/scheduler/manager.py', 453, '_schedule', 'self._ensure_sufficient_hosts(') +
  frame('nova/scheduler/manager.py', 495, '_ensure_sufficient_hosts', 'raise exception.NoValidHost(reason=reason)');

/** The scheduler found no node with room for every instance of the request. */
export function noValidHostFault(): BootFault {
  const message = `${NO_VALID_HOST} There are not enough hosts available.`;
  return {
    code: 500,
    message,
    details: `${SCHEDULE_FRAMES}nova.exception.NoValidHost: ${message}\n`,
    traceback: SCHEDULE_FRAMES,
    reason: `Failed to schedule instances: ${message}`,
  };
}

/** The chosen host has no host mapping (nova's HostMappingNotFound, an Invalid: code 400, so no details). */
export function hostMappingNotFoundFault(host: string): BootFault {
  const frames =
    'Traceback (most recent call last):\n' +
    frame('nova/conductor/manager.py', 1740, 'schedule_and_build_instances', 'host_mapping = objects.HostMapping.get_by_host(') +
    frame('nova/objects/host_mapping.py', 100, 'get_by_host', 'db_mapping = cls._get_by_host_from_db(context, host)') +
    frame('nova/objects/host_mapping.py', 95, '_get_by_host_from_db', 'raise exception.HostMappingNotFound(name=host)');
  return {
    code: 400,
    message: truncateMessage(`Host '${host}' is not mapped to any cell`),
    details: '',
    traceback: frames,
    reason: `No host-to-cell mapping found for selected host ${host}. Setup is incomplete.`,
  };
}

export const NO_CELL0_MESSAGE = 'No cell mapping found for cell0 while trying to record scheduling failure. Setup is incomplete.';
