import React, { memo, useCallback, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, ConfirmButton, Field, Input, Stack, Text, useStyles2 } from '@grafana/ui';
import { useApi } from '../../api/useApi';
import { AsyncView } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import {
  getThresholds,
  putThresholds,
  resetThresholds,
  type ThresholdEntry,
  type ThresholdTree,
} from './api';
import { categoryTitle, thresholdLabel } from './labels';
import { checkSection, formatValue, unitLabel } from './validate';
import { type Access, useWrite, WriteStatus } from './write';

const ids = testIds.healthSettings;

type Drafts = Record<string, string>;
const NO_DRAFTS: Drafts = {};

function ThresholdField({
  section,
  name,
  entry,
  text,
  error,
  unsaved,
  readOnly,
  onChange,
}: {
  section: string;
  name: string;
  entry: ThresholdEntry;
  text: string;
  error?: string;
  unsaved: boolean;
  readOnly: boolean;
  onChange: (text: string) => void;
}) {
  const s = useStyles2(getStyles);
  const unit = unitLabel(entry.unit);
  return (
    <div className={s.field} data-testid={ids.thresholdField(section, name)}>
      <Field
        label={thresholdLabel(name)}
        description={`${entry.description}. Default ${formatValue(entry.default, entry.unit)}; ${formatValue(entry.min, entry.unit)} to ${formatValue(entry.max, entry.unit)}.`}
        invalid={error !== undefined}
        error={error}
        disabled={readOnly}
        noMargin
      >
        <Input
          type="number"
          step="any"
          width={20}
          value={text}
          suffix={unit}
          aria-label={`${categoryTitle(section)} ${thresholdLabel(name)}${unit ? ` (${unit})` : ''}`}
          data-testid={ids.threshold(section, name)}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      </Field>
      <Stack gap={1} alignItems="center">
        {entry.value !== entry.default ? <Badge color="blue" text="differs from default" /> : null}
        {unsaved ? <Badge color="orange" text="unsaved" /> : null}
        {!readOnly && text !== String(entry.default) ? (
          <Button
            size="sm"
            variant="secondary"
            fill="text"
            icon="history"
            tooltip={`Back to the default, ${formatValue(entry.default, entry.unit)} (saved with the section)`}
            data-testid={ids.thresholdUseDefault(section, name)}
            onClick={() => onChange(String(entry.default))}
          >
            Use default
          </Button>
        ) : null}
      </Stack>
    </div>
  );
}

/**
 * One section of the tree (cpu, memory, …): its fields, Save and Reset. Memoised: typing in one
 * section does not render the other fifty-odd fields again.
 */
const ThresholdGroup = memo(function ThresholdGroup({
  section,
  entries,
  drafts,
  access,
  onDraft,
  onWritten,
}: {
  section: string;
  entries: Record<string, ThresholdEntry>;
  drafts: Drafts;
  access: Access;
  onDraft: (section: string, key: string, text: string) => void;
  /** After a write (with the exporter's answer) or a save with nothing to send (without one). */
  onWritten: (section: string, tree?: ThresholdTree) => void;
}) {
  const s = useStyles2(getStyles);
  const write = useWrite(access.onForbidden);
  const { changes, errors } = checkSection(entries, drafts);
  const dirty = Object.keys(drafts).length > 0;
  const title = categoryTitle(section);

  const save = async () => {
    if (Object.keys(errors).length > 0) {
      write.refuse(`${title}: fix the highlighted values; nothing was sent.`);
      return;
    }
    if (Object.keys(changes).length === 0) {
      onWritten(section);
      write.clear();
      return;
    }
    const tree = await write.run(() => putThresholds({ [section]: changes }), `${title} thresholds saved`);
    if (tree) {
      onWritten(section, tree);
    }
  };
  const reset = async () => {
    const tree = await write.run(() => resetThresholds(section), `${title} thresholds are back to defaults`);
    if (tree) {
      onWritten(section, tree);
    }
  };

  return (
    <section className={s.group} aria-label={`${title} thresholds`}>
      <Stack justifyContent="space-between" alignItems="center" wrap="wrap">
        <Text element="h4">{title}</Text>
        {access.readOnly ? null : (
          <Stack gap={1} alignItems="center">
            <ConfirmButton
              confirmText="Yes, reset"
              confirmVariant="destructive"
              disabled={write.busy}
              onConfirm={reset}
            >
              <Button size="sm" variant="secondary" icon="history" data-testid={ids.thresholdReset(section)}>
                Reset {title} to defaults
              </Button>
            </ConfirmButton>
            <Button
              size="sm"
              icon="save"
              disabled={!dirty || write.busy}
              data-testid={ids.thresholdSave(section)}
              onClick={save}
            >
              Save {title}
            </Button>
          </Stack>
        )}
      </Stack>
      <WriteStatus result={write.result} testId={ids.status(`thresholds-${section}`)} onClose={write.clear} />
      <div className={s.grid}>
        {Object.entries(entries).map(([key, entry]) => (
          <ThresholdField
            key={key}
            section={section}
            name={key}
            entry={entry}
            text={drafts[key] ?? String(entry.value)}
            error={errors[key]}
            unsaved={key in changes}
            readOnly={access.readOnly}
            onChange={(text) => onDraft(section, key, text)}
          />
        ))}
      </div>
    </section>
  );
});

function ThresholdsView({
  tree,
  access,
  onSaved,
}: {
  tree: ThresholdTree;
  access: Access;
  onSaved: (tree: ThresholdTree) => void;
}) {
  const [drafts, setDrafts] = useState<Record<string, Drafts>>({});
  const write = useWrite(access.onForbidden);

  const setDraft = useCallback(
    (section: string, key: string, text: string) =>
      setDrafts((d) => ({ ...d, [section]: { ...d[section], [key]: text } })),
    [],
  );
  // Every write answers with the whole tree: take it, and drop the drafts of the section written.
  const written = useCallback(
    (section: string | undefined, next?: ThresholdTree) => {
      if (next) {
        onSaved(next);
      }
      setDrafts((d) => (section === undefined ? {} : { ...d, [section]: NO_DRAFTS }));
    },
    [onSaved],
  );
  const resetAll = async () => {
    const next = await write.run(() => resetThresholds(), 'Every threshold is back to its default');
    if (next) {
      written(undefined, next);
    }
  };

  return (
    <Stack direction="column" gap={2}>
      <Stack justifyContent="space-between" alignItems="center" wrap="wrap">
        <Text color="secondary">
          When a check warns or turns critical. Each section is saved on its own; a warning must stay at or
          below its critical value and a recovery value below its warning.
        </Text>
        {access.readOnly ? null : (
          <ConfirmButton
            confirmText="Yes, reset"
            confirmVariant="destructive"
            disabled={write.busy}
            onConfirm={resetAll}
          >
            <Button size="sm" variant="destructive" icon="history" data-testid={ids.thresholdResetAll}>
              Reset all thresholds
            </Button>
          </ConfirmButton>
        )}
      </Stack>
      <WriteStatus result={write.result} testId={ids.status('thresholds')} onClose={write.clear} />
      {Object.entries(tree).map(([section, entries]) => (
        <ThresholdGroup
          key={section}
          section={section}
          entries={entries}
          drafts={drafts[section] ?? NO_DRAFTS}
          access={access}
          onDraft={setDraft}
          onWritten={written}
        />
      ))}
    </Stack>
  );
}

export function ThresholdsSection({ access }: { access: Access }) {
  const state = useApi(getThresholds);
  // What the last write answered; newer than the load until the next reload.
  const [written, setWritten] = useState<ThresholdTree>();
  return (
    <AsyncView
      state={{ ...state, data: written ?? state.data }}
      isEmpty={(tree) => Object.keys(tree).length === 0}
      emptyMessage="The exporter reports no thresholds."
      errorTitle="Could not load the thresholds"
    >
      {(tree) => <ThresholdsView tree={tree} access={access} onSaved={setWritten} />}
    </AsyncView>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  group: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(2),
  }),
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(320px, 1fr))',
    gap: theme.spacing(2),
    marginTop: theme.spacing(2),
  }),
  field: css({
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: theme.spacing(0.5),
  }),
});
