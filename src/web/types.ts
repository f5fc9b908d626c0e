import type { SiteConfig } from '../config/site.js';
import type { StaffUser } from '../accounts/service.js';

declare module 'fastify' {
  interface FastifyRequest {
    site: SiteConfig;
    staff: StaffUser | null;
    /** BASE_URL's origin, for absolute links in pages (canonical, Open Graph). */
    publicOrigin?: string;
  }
  interface FastifyContextConfig {
    /** false: answer without the security headers (responses with no body, such as beacons). */
    securityHeaders?: false;
  }
}
