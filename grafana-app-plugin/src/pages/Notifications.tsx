import React, { useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Stack, TabContent } from '@grafana/ui';
import { useApi } from '../api/useApi';
import { AsyncView } from '../components/PageState';
import { PageTabs } from '../components/PageTabs';
import { testIds } from '../components/testIds';
import { isGrafanaAdmin } from '../utils/roles';
import { AiTab } from './notifications/AiTab';
import { getChannels, type ChannelView } from './notifications/api';
import { ChannelsTab } from './notifications/ChannelsTab';
import { DeadLettersTab } from './notifications/DeadLettersTab';
import { EventsTab } from './notifications/EventsTab';
import { HistoryTab } from './notifications/HistoryTab';
import { ScheduleTab } from './notifications/ScheduleTab';

const ids = testIds.notifications;

const TABS = [
  { id: 'channels', label: 'Channels', icon: 'bell' },
  { id: 'events', label: 'Events', icon: 'list-ul' },
  { id: 'schedule', label: 'Delivery and schedule', icon: 'clock-nine' },
  { id: 'ai', label: 'AI rewrite', icon: 'ai' },
  { id: 'history', label: 'History', icon: 'history' },
  { id: 'dead-letters', label: 'Dead letters', icon: 'exclamation-triangle' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function TabBody({
  tab,
  channels,
  admin,
  reload,
}: {
  tab: TabId;
  channels: ChannelView[];
  admin: boolean;
  reload: () => void;
}) {
  switch (tab) {
    case 'channels':
      return <ChannelsTab channels={channels} admin={admin} reload={reload} />;
    case 'events':
      return <EventsTab channels={channels} admin={admin} onSaved={reload} />;
    case 'schedule':
      return <ScheduleTab channels={channels} admin={admin} onSaved={reload} />;
    case 'ai':
      return <AiTab admin={admin} />;
    case 'history':
      return <HistoryTab channels={channels} />;
    case 'dead-letters':
      return <DeadLettersTab admin={admin} />;
  }
}

/**
 * Notifications: channels (add, edit, test, delete), per-channel event choices, delivery settings with
 * quiet hours and digests, the AI rewrite, the delivery history and dead letters.
 */
function Notifications() {
  const admin = isGrafanaAdmin();
  const [tab, setTab] = useState<TabId>('channels');
  // Every tab works with the channel list, so it is loaded once here.
  const channels = useApi(getChannels);
  return (
    <PluginPage>
      <div data-testid={ids.container}>
        <Stack direction="column" gap={0}>
          <PageTabs
            tabs={TABS}
            active={tab}
            onChange={setTab}
            testId={ids.tab}
            counter={(id) => (id === 'channels' ? (channels.data?.channels.length ?? null) : null)}
          />
          <TabContent>
            <AsyncView state={channels} errorTitle="Could not load the notification channels">
              {(d) => <TabBody tab={tab} channels={d.channels} admin={admin} reload={channels.reload} />}
            </AsyncView>
          </TabContent>
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Notifications;
