/** Tenant slugs by id, for image URLs. A slug never changes once the tenant exists, so it is cached. */
import type { TenantService } from '../../../core/tenants/tenant-service.ts';

export class TenantSlugs {
  private readonly slugs = new Map<string, string>();

  constructor(private readonly tenants: Pick<TenantService, 'get'>) {}

  async of(tenantId: string): Promise<string> {
    let slug = this.slugs.get(tenantId);
    if (!slug) {
      slug = (await this.tenants.get(tenantId)).slug;
      this.slugs.set(tenantId, slug);
    }
    return slug;
  }
}
