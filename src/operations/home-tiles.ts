import { longDate } from '../adapters/dates.js';
import type { HomeTile } from '../console/home.js';
import type { OperationsService } from './service.js';

export function operationsTiles(service: OperationsService): HomeTile[] {
  return [
    {
      needs: 'operations.read',
      load: async () => {
        const count = await service.countFailing();
        return {
          label: count === 1 ? 'Message failing to send' : 'Messages failing to send',
          count,
          href: '/console/operations',
          urgency: count > 0 ? 'late' : 'calm',
        };
      },
    },
    {
      needs: 'operations.read',
      load: async () => {
        const state = service.backups();
        const detail =
          state.status === 'off'
            ? 'Off: set BACKUP_DIR to keep a daily backup'
            : state.status === 'none'
              ? 'No backup written yet'
              : `Newest: ${longDate(state.newest.at.toISOString())}`;
        return {
          label: 'Daily backup',
          count: null,
          detail,
          href: '/console/operations',
          urgency: state.status === 'fresh' ? 'calm' : state.status === 'off' ? 'due' : 'late',
        };
      },
    },
  ];
}
