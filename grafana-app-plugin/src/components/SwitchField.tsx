import React from 'react';
import { Field, Switch } from '@grafana/ui';

/** A labelled on/off switch, the form control every page uses for a yes/no setting. */
export function SwitchField({
  label,
  description,
  value,
  disabled,
  invalid,
  error,
  noMargin,
  onChange,
  testId,
}: {
  label: string;
  description?: string;
  value: boolean;
  disabled?: boolean;
  invalid?: boolean;
  error?: string;
  noMargin?: boolean;
  onChange: (on: boolean) => void;
  testId: string;
}) {
  return (
    <Field label={label} description={description} invalid={invalid} error={error} noMargin={noMargin}>
      <Switch
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.currentTarget.checked)}
        data-testid={testId}
      />
    </Field>
  );
}
