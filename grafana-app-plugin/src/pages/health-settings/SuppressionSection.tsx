import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Field, Input, Stack, Switch, Text, useStyles2 } from '@grafana/ui';
import { useApi } from '../../api/useApi';
import { AsyncView } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import {
  getHealthSettings,
  putHealthSettings,
  type HealthSettings,
  type Suppression,
  type SuppressionPatch,
} from './api';
import { categoryTitle } from './labels';
import { humanHours, parseDismissHours } from './validate';
import { type Access, useWrite, WriteStatus } from './write';

const ids = testIds.healthSettings;

/** A category's row as typed: the hours stay text until saved, so a half-typed value can be shown. */
interface RowDraft {
  hours: string;
  permanent: boolean;
  auto: boolean;
}

const rowOf = (s: Suppression): RowDraft => ({
  hours: s.dismiss_hours === 'permanent' ? '24' : String(s.dismiss_hours),
  permanent: s.dismiss_hours === 'permanent',
  auto: s.auto_dismiss,
});

interface RowCheck {
  error?: string;
  change?: Partial<Suppression>;
}

function checkRow(current: Suppression, row: RowDraft): RowCheck {
  let hours: Suppression['dismiss_hours'] = 'permanent';
  if (!row.permanent) {
    const parsed = parseDismissHours(row.hours);
    if (!parsed.ok) {
      return { error: parsed.error };
    }
    hours = parsed.value;
  }
  const change: Partial<Suppression> = {};
  if (hours !== current.dismiss_hours) {
    change.dismiss_hours = hours;
  }
  if (row.auto !== current.auto_dismiss) {
    change.auto_dismiss = row.auto;
  }
  return Object.keys(change).length ? { change } : {};
}

function SuppressionView({
  settings,
  access,
  onSaved,
}: {
  settings: HealthSettings;
  access: Access;
  onSaved: (s: HealthSettings) => void;
}) {
  const s = useStyles2(getStyles);
  const write = useWrite(access.onForbidden);
  const [drafts, setDrafts] = useState<Record<string, RowDraft>>({});
  const categories = Object.entries(settings.suppression);

  const rows = categories.map(([category, current]) => {
    const row = drafts[category] ?? rowOf(current);
    return { category, current, row, ...checkRow(current, row) };
  });
  const errors = rows.filter((r) => r.error);
  const patch: SuppressionPatch = Object.fromEntries(
    rows.filter((r) => r.change).map((r) => [r.category, r.change!]),
  );
  const edit = (category: string, row: RowDraft, change: Partial<RowDraft>) =>
    setDrafts((d) => ({ ...d, [category]: { ...row, ...change } }));

  const save = async () => {
    if (errors.length) {
      write.refuse(`Fix ${errors.map((r) => categoryTitle(r.category)).join(', ')}; nothing was sent.`);
      return;
    }
    if (Object.keys(patch).length === 0) {
      setDrafts({});
      return;
    }
    const next = await write.run(() => putHealthSettings(patch), 'Suppression settings saved');
    if (next) {
      onSaved(next);
      setDrafts({});
    }
  };

  return (
    <Stack direction="column" gap={2}>
      <Text color="secondary">
        How long a dismissed error stays quiet when no duration is picked, per category; errors dismissed with
        the default follow a change. Auto-dismiss makes new errors of a category start dismissed.
      </Text>
      <WriteStatus result={write.result} testId={ids.status('suppression')} onClose={write.clear} />
      <div className={s.grid} role="group" aria-label="Suppression per category">
        <Text weight="medium">Category</Text>
        <Text weight="medium">Dismiss for</Text>
        <Text weight="medium">Permanently</Text>
        <Text weight="medium">Auto-dismiss new errors</Text>
        {rows.map(({ category, row, error }) => {
          const title = categoryTitle(category);
          const parsed = parseDismissHours(row.hours);
          return (
            <React.Fragment key={category}>
              <Text>{title}</Text>
              <div>
                <Field
                  invalid={error !== undefined}
                  error={error}
                  disabled={access.readOnly || row.permanent}
                  noMargin
                >
                  <Input
                    type="number"
                    step={1}
                    width={16}
                    suffix="hours"
                    value={row.hours}
                    aria-label={`${title}: dismiss for (hours)`}
                    data-testid={ids.dismissHours(category)}
                    onChange={(e) => edit(category, row, { hours: e.currentTarget.value })}
                  />
                </Field>
                <Text variant="bodySmall" color="secondary">
                  {row.permanent ? 'until un-dismissed' : parsed.ok ? humanHours(parsed.value) : ''}
                </Text>
              </div>
              <Switch
                value={row.permanent}
                disabled={access.readOnly}
                label={`${title}: dismiss permanently`}
                aria-label={`${title}: dismiss permanently`}
                data-testid={ids.dismissPermanent(category)}
                onChange={(e) => edit(category, row, { permanent: e.currentTarget.checked })}
              />
              <Switch
                value={row.auto}
                disabled={access.readOnly}
                label={`${title}: auto-dismiss new errors`}
                aria-label={`${title}: auto-dismiss new errors`}
                data-testid={ids.autoDismiss(category)}
                onChange={(e) => edit(category, row, { auto: e.currentTarget.checked })}
              />
            </React.Fragment>
          );
        })}
      </div>
      {access.readOnly ? null : (
        <Stack>
          <Button
            icon="save"
            disabled={Object.keys(drafts).length === 0 || write.busy}
            data-testid={ids.suppressionSave}
            onClick={save}
          >
            Save suppression
          </Button>
        </Stack>
      )}
    </Stack>
  );
}

export function SuppressionSection({ access }: { access: Access }) {
  const state = useApi(getHealthSettings);
  const [written, setWritten] = useState<HealthSettings>();
  return (
    <AsyncView
      state={{ ...state, data: written ?? state.data }}
      isEmpty={(st) => Object.keys(st.suppression).length === 0}
      emptyMessage="The exporter reports no health categories."
      errorTitle="Could not load the suppression settings"
    >
      {(settings) => <SuppressionView settings={settings} access={access} onSaved={setWritten} />}
    </AsyncView>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(160px, max-content) minmax(200px, max-content) max-content max-content',
    columnGap: theme.spacing(4),
    rowGap: theme.spacing(1.5),
    alignItems: 'start',
  }),
});
