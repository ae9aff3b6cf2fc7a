import React, { useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Stack, TabContent } from '@grafana/ui';
import { ApiError } from '../api/client';
import { PageForbidden } from '../components/PageState';
import { PageTabs } from '../components/PageTabs';
import { testIds } from '../components/testIds';
import { isGrafanaAdmin } from '../utils/roles';
import { AuditTab } from './security/AuditTab';
import { Fail2banTab } from './security/Fail2banTab';
import { FailuresTab } from './security/FailuresTab';
import { TokensTab } from './security/TokensTab';
import { TotpTab } from './security/TotpTab';
import { UsersTab } from './security/UsersTab';

const ids = testIds.security;

const TABS = [
  { id: 'tokens', label: 'API tokens', icon: 'key-skeleton-alt' },
  { id: 'users', label: 'Users', icon: 'users-alt' },
  { id: 'totp', label: 'Two-factor (TOTP)', icon: 'lock' },
  { id: 'failures', label: 'Authentication failures', icon: 'exclamation-triangle' },
  { id: 'fail2ban', label: 'fail2ban', icon: 'shield' },
  { id: 'audit', label: 'Audit log', icon: 'history' },
] as const;
export type SecurityTabId = (typeof TABS)[number]['id'];

function TabBody({ tab }: { tab: SecurityTabId }) {
  switch (tab) {
    case 'tokens':
      return <TokensTab />;
    case 'users':
      return <UsersTab />;
    case 'totp':
      return <TotpTab />;
    case 'failures':
      return <FailuresTab />;
    case 'fail2ban':
      return <Fail2banTab />;
    case 'audit':
      return <AuditTab />;
  }
}

/**
 * Security: API tokens (create, shown once; revoke), users, TOTP per user, failed sign-ins, fail2ban's
 * jail with unban, and the audit log. Every call here goes through the app's Admin routes (the admin
 * token); a Grafana role below Admin sees the forbidden state instead of calls the routes would refuse.
 */
function Security({ initialTab = 'tokens' }: { initialTab?: SecurityTabId }) {
  const [tab, setTab] = useState<SecurityTabId>(initialTab);
  return (
    <PluginPage>
      <div data-testid={ids.container}>
        {!isGrafanaAdmin() ? (
          <PageForbidden
            error={
              new ApiError(
                403,
                'route_denied',
                'The security page is for Grafana organisation admins.',
                'forbidden',
              )
            }
          />
        ) : (
          <Stack direction="column" gap={0}>
            <PageTabs tabs={TABS} active={tab} onChange={setTab} testId={ids.tab} />
            <TabContent>
              <TabBody tab={tab} />
            </TabContent>
          </Stack>
        )}
      </div>
    </PluginPage>
  );
}

export default Security;
