import React, { useMemo, useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, TabContent } from '@grafana/ui';
import type { ApiError } from '../api/client';
import { PageForbidden } from '../components/PageState';
import { PageTabs } from '../components/PageTabs';
import { testIds } from '../components/testIds';
import { isGrafanaAdmin } from '../utils/roles';
import { ExclusionsSection } from './health-settings/ExclusionsSection';
import { SuppressionSection } from './health-settings/SuppressionSection';
import { ThresholdsSection } from './health-settings/ThresholdsSection';
import type { Access } from './health-settings/write';

const ids = testIds.healthSettings;

const TABS = [
  { id: 'suppression', label: 'Suppression', icon: 'bell-slash', Section: SuppressionSection },
  { id: 'thresholds', label: 'Thresholds', icon: 'sliders-v-alt', Section: ThresholdsSection },
  { id: 'exclusions', label: 'Exclusions', icon: 'eye-slash', Section: ExclusionsSection },
] as const;
type TabId = (typeof TABS)[number]['id'];

/**
 * The exporter's health settings: dismissal defaults per category, thresholds, and storages or
 * interfaces kept out of checks and notifications. Each section saves on its own. A Grafana role below
 * Admin, or a write refused with 403, turns the page read-only.
 */
function HealthSettings() {
  const [tab, setTab] = useState<TabId>('suppression');
  const [refused, setRefused] = useState<ApiError>();
  const readOnly = !isGrafanaAdmin() || refused !== undefined;
  const access = useMemo<Access>(() => ({ readOnly, onForbidden: setRefused }), [readOnly]);

  return (
    <PluginPage>
      <div data-testid={ids.container}>
        {readOnly ? (
          <div data-testid={ids.readOnly}>
            {refused ? (
              <PageForbidden error={refused} />
            ) : (
              <Alert severity="info" title="Read-only">
                Changing health settings needs the Grafana Admin role; you can look at them.
              </Alert>
            )}
          </div>
        ) : null}
        <PageTabs tabs={TABS} active={tab} onChange={setTab} testId={ids.tab} />
        <TabContent>
          {/* Every section stays mounted, so edits survive a switch of tab. */}
          {TABS.map(({ id, Section }) => (
            <div key={id} hidden={tab !== id}>
              <Section access={access} />
            </div>
          ))}
        </TabContent>
      </div>
    </PluginPage>
  );
}

export default HealthSettings;
