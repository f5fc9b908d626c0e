import type { SiteConfig } from '../config/site.js';
import type { StaffUser } from '../accounts/service.js';

declare module 'fastify' {
  interface FastifyRequest {
    site: SiteConfig;
    staff: StaffUser | null;
  }
}
