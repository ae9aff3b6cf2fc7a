import React from 'react';
import type { IconName } from '@grafana/data';
import { Tab, TabsBar } from '@grafana/ui';

export interface PageTab<Id extends string> {
  id: Id;
  label: string;
  icon: IconName;
}

/** The tab bar of a page with sections (health settings, notifications, security); `testId` names each tab. */
export function PageTabs<Id extends string>({
  tabs,
  active,
  onChange,
  testId,
  counter,
}: {
  tabs: ReadonlyArray<PageTab<Id>>;
  active: Id;
  onChange: (id: Id) => void;
  testId: (id: Id) => string;
  /** A number shown next to a tab's label, where there is one. */
  counter?: (id: Id) => number | null;
}) {
  return (
    <TabsBar>
      {tabs.map((t) => (
        <Tab
          key={t.id}
          label={t.label}
          icon={t.icon}
          active={active === t.id}
          counter={counter?.(t.id)}
          onChangeTab={() => onChange(t.id)}
          data-testid={testId(t.id)}
        />
      ))}
    </TabsBar>
  );
}
